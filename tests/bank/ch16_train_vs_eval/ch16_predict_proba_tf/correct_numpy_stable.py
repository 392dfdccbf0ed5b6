# correct: predict_on_batch then a numerically stable softmax in NumPy
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    logits = np.asarray(model.predict_on_batch(x[None] if x.ndim == 3 else x), dtype="float64")
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = (z / z.sum(axis=-1, keepdims=True)).astype("float32")
    return probs[0] if x.ndim == 3 else probs
