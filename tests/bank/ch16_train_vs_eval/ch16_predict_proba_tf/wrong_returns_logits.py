# misconception: the model's output already is a probability
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    batch = x[None] if x.ndim == 3 else x
    out = np.asarray(model(batch, training=False))
    return out[0] if x.ndim == 3 else out
