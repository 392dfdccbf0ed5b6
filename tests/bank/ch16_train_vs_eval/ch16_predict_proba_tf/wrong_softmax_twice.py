# misconception: softmax twice is harmless
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    batch = x[None] if x.ndim == 3 else x
    probs = tf.nn.softmax(tf.nn.softmax(model(batch, training=False), axis=-1), axis=-1).numpy()
    return probs[0] if x.ndim == 3 else probs
