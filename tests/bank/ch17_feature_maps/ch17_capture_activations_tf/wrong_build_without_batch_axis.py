# misconception: model.build takes the shape of one image (it takes the batch's shape, batch axis included)
def capture_activations_tf(model, x, layer_names):
    x = np.asarray(x, dtype="float32")
    if not model.built:
        model.build(x.shape[1:])
    probe = keras.Model(model.inputs[0], {n: model.get_layer(n).output for n in layer_names})
    values = probe(x, training=False)
    return {n: np.asarray(values[n]) for n in layer_names}
