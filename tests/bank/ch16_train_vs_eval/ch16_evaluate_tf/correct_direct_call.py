# correct: in Keras 3 a direct call model(x) already runs in inference mode
def evaluate_tf(model, dataset, loss_fn):
    weighted, hits, n = 0.0, 0, 0
    for x, y in dataset:
        logits = model(x)
        size = len(y)
        weighted += float(loss_fn(y, logits)) * size
        hits += int(tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1) == tf.cast(y, tf.int64), tf.int32)))
        n += size
    return weighted / n, hits / n
