# misconception: activations should be inspected as in training (training=True: BatchNorm batch statistics, Dropout on)
def capture_activations_tf(model, x, layer_names):
    x = np.asarray(x, dtype="float32")
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        model.build((None,) + x.shape[1:])
        inputs = model.inputs
    probe = keras.Model(inputs[0], {n: model.get_layer(n).output for n in layer_names})
    values = probe(x, training=True)
    return {n: np.asarray(values[n]) for n in layer_names}
