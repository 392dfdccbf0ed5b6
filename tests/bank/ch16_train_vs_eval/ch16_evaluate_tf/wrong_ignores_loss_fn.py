# misconception: classification is always scored with SparseCategoricalCrossentropy(from_logits=True)
def evaluate_tf(model, dataset, loss_fn):
    sce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    total, correct, count = 0.0, 0, 0
    for x, y in dataset:
        logits = model(x, training=False)
        n = int(tf.shape(y)[0])
        total += float(sce(y, logits)) * n
        correct += int(np.sum(np.argmax(np.asarray(logits), axis=-1) == np.asarray(y)))
        count += n
    return total / count, correct / count
