# misconception: the mean of batch means equals the per-sample mean
def evaluate_tf(model, dataset, loss_fn):
    losses, accs = [], []
    for x, y in dataset:
        logits = model(x, training=False)
        losses.append(float(loss_fn(y, logits)))
        accs.append(float(np.mean(np.argmax(logits, axis=-1) == np.asarray(y))))
    return float(np.mean(losses)), float(np.mean(accs))
