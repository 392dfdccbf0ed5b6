# misconception: "build the probe once and reuse it" means one probe per model (a later call asking for other
# layers gets the first call's layers back)
_PROBES = {}


def capture_activations_tf(model, x, layer_names):
    x = np.asarray(x, dtype="float32")
    if id(model) not in _PROBES:
        if not model.built:
            model.build((None,) + x.shape[1:])
        _PROBES[id(model)] = keras.Model(model.inputs[0], {n: model.get_layer(n).output for n in layer_names})
    values = _PROBES[id(model)](x, training=False)
    return {n: np.asarray(v) for n, v in values.items()}
