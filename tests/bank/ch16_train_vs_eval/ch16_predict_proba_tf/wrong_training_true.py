# misconception: training=True gives the "full" model (it turns Dropout on)
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    batch = x[None] if x.ndim == 3 else x
    probs = tf.nn.softmax(model(batch, training=True), axis=-1).numpy()
    return probs[0] if x.ndim == 3 else probs
