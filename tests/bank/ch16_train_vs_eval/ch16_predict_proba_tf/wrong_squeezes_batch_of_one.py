# misconception: np.squeeze turns the one-image answer into a vector (it also squeezes a batch of one)
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    batch = x[None] if x.ndim == 3 else x
    return np.squeeze(tf.nn.softmax(model(batch, training=False), axis=-1).numpy())
