# misconception: no_grad makes a forward pass side-effect free (train-mode BatchNorm still updates its buffers)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    flags = [m.training for m in model.modules()]
    model.train(train_mode)
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            preds = torch.cat([model(c).argmax(1) for c in torch.split(x, bs)])
            result[int(bs)] = float((preds == y).float().mean())
    for m, f in zip(model.modules(), flags):
        m.training = f
    return result
