# correct: model.predict over the whole dataset (inference mode), then one loss over all samples at once
def evaluate_tf(model, dataset, loss_fn):
    labels = np.concatenate([np.asarray(y) for _, y in dataset])
    logits = model.predict(dataset.map(lambda x, y: x), verbose=0)
    per_batch = [(float(loss_fn(labels[i:i + 1], logits[i:i + 1])), 1) for i in range(len(labels))]
    mean_loss = sum(l for l, _ in per_batch) / len(per_batch)
    return float(mean_loss), float(np.mean(np.argmax(logits, axis=-1) == labels))
