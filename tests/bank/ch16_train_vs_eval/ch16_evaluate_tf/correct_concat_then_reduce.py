# correct: predict_on_batch (inference) per batch, then per-sample weighting with NumPy
def evaluate_tf(model, dataset, loss_fn):
    losses, sizes, preds, labels = [], [], [], []
    for x, y in dataset:
        out = model.predict_on_batch(x)
        losses.append(float(loss_fn(y, out)))
        sizes.append(int(np.shape(y)[0]))
        preds.append(np.argmax(out, axis=-1))
        labels.append(np.asarray(y))
    sizes = np.array(sizes, dtype="float64")
    mean_loss = float(np.dot(losses, sizes) / sizes.sum())
    accuracy = float(np.mean(np.concatenate(preds) == np.concatenate(labels)))
    return mean_loss, accuracy
