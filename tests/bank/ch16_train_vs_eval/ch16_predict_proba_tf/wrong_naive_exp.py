# misconception: softmax is exp / sum(exp) as written (overflows to inf / inf = nan for large logits)
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    single = x.ndim == 3
    logits = np.asarray(model(x[None] if single else x, training=False))
    e = np.exp(logits)
    probs = e / e.sum(axis=-1, keepdims=True)
    return probs[0] if single else probs
