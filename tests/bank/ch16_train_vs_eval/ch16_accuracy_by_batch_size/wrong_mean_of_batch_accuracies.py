# misconception: the mean of per-batch accuracies is the accuracy (the short last batch gets too much weight)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    replica = copy.deepcopy(model).train(train_mode)
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            accs = [float((replica(xc).argmax(1) == yc).float().mean())
                    for xc, yc in zip(torch.split(x, bs), torch.split(y, bs))]
            result[int(bs)] = float(np.mean(accs))
    return result
