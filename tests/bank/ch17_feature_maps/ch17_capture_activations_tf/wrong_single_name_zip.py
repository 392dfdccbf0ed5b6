# misconception: a sub-model always returns a list of outputs (with ONE requested layer it returns a single tensor,
# and zip() then walks the batch: each name gets one image's activations)
def capture_activations_tf(model, x, layer_names):
    x = np.asarray(x, dtype="float32")
    if not model.built:
        model.build((None,) + x.shape[1:])
    probe = keras.Model(model.inputs[0], [model.get_layer(n).output for n in layer_names])
    outputs = probe(x, training=False)
    return {name: np.asarray(out) for name, out in zip(layer_names, outputs)}
