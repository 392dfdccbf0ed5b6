# correct: measure on a deep copy, so the original model is never touched
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    replica = copy.deepcopy(model)
    replica.train(train_mode)
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            hits = 0
            for start in range(0, len(x), bs):
                hits += int((replica(x[start:start + bs]).argmax(1) == y[start:start + bs]).sum())
            result[int(bs)] = hits / len(x)
    return result
