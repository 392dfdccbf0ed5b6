# misconception: model.input always exists (Keras 3 raises for a Sequential model built without an Input)
def capture_activations_tf(model, x, layer_names):
    x = np.asarray(x, dtype="float32")
    if not model.built:
        model.build((None,) + x.shape[1:])
    probe = keras.Model(model.input, {n: model.get_layer(n).output for n in layer_names})
    values = probe(x, training=False)
    return {n: np.asarray(values[n]) for n in layer_names}
