# correct: model.predict (inference mode) and keras.ops.softmax, a single image as a batch of one
def predict_proba_tf(model, x):
    x = np.asarray(x, dtype="float32")
    single = x.ndim == 3
    logits = model.predict(np.expand_dims(x, 0) if single else x, verbose=0)
    probs = np.asarray(keras.ops.softmax(logits, axis=-1))
    return probs[0] if single else probs
