# correct: direct call (inference in Keras 3) and keras.ops.softmax
def predict_proba_tf(model, x):
    batch = np.asarray(x, dtype="float32")
    squeeze = batch.ndim == 3
    if squeeze:
        batch = np.expand_dims(batch, 0)
    probs = np.asarray(keras.ops.softmax(model(batch), axis=-1))
    return probs[0] if squeeze else probs
