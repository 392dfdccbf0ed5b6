# misconception: only full batches count (the smaller last batch is dropped, as drop_last=True would)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    replica = copy.deepcopy(model).train(train_mode)
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            hits, seen = 0, 0
            for i in range(0, len(x) - bs + 1, bs):
                hits += int((replica(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum())
                seen += bs
            result[int(bs)] = hits / seen
    return result
