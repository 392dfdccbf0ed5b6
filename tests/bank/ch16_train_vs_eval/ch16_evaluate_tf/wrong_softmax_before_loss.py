# misconception: turn logits into probabilities before the loss (the loss expects logits: softmax applied twice)
def evaluate_tf(model, dataset, loss_fn):
    total, correct, count = 0.0, 0, 0
    for x, y in dataset:
        probs = tf.nn.softmax(model(x, training=False))
        n = int(tf.shape(y)[0])
        total += float(loss_fn(y, probs)) * n
        correct += int(np.sum(np.argmax(probs, axis=-1) == np.asarray(y)))
        count += n
    return total / count, correct / count
