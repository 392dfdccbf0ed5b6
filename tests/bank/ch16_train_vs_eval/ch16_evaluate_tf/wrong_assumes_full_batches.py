# misconception: every batch has the size of the first one (the last batch is usually smaller)
def evaluate_tf(model, dataset, loss_fn):
    total, correct, batches, size = 0.0, 0, 0, None
    for x, y in dataset:
        logits = model(x, training=False)
        size = size or int(tf.shape(y)[0])
        total += float(loss_fn(y, logits)) * size
        correct += int(np.sum(np.argmax(np.asarray(logits), axis=-1) == np.asarray(y)))
        batches += 1
    return total / (batches * size), correct / (batches * size)
