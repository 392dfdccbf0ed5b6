# misconception: the sub-model's outputs are already NumPy arrays (they are tf tensors)
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
    return dict(probe(x, training=False))
