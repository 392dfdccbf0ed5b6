# misconception: every Keras model has a graph to cut (an unbuilt Sequential model has no inputs yet)
def capture_activations_tf(model, x, layer_names):
    inputs = model.inputs
    probe = keras.Model(inputs[0], {n: model.get_layer(n).output for n in layer_names})
    values = probe(np.asarray(x, dtype="float32"), training=False)
    return {n: np.asarray(values[n]) for n in layer_names}
