# misconception: training=True is needed to get "real" outputs (it turns on Dropout and batch statistics)
def evaluate_tf(model, dataset, loss_fn):
    total, correct, count = 0.0, 0, 0
    for x, y in dataset:
        logits = model(x, training=True)
        n = int(tf.shape(y)[0])
        total += float(loss_fn(y, logits)) * n
        correct += int(np.sum(np.argmax(logits, axis=-1) == np.asarray(y)))
        count += n
    return total / count, correct / count
