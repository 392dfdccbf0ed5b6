# misconception: inputs must be float32 (a float64 model then fails)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    replica = copy.deepcopy(model).train(train_mode)
    x = x.float()
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            preds = torch.cat([replica(c).argmax(1) for c in torch.split(x, bs)])
            result[int(bs)] = float((preds == y).float().mean())
    return result
