# correct: snapshot parameters and buffers by name, restore with copy_, restore each flag
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    flags = [m.training for m in model.modules()]
    out = {}
    for bs in batch_sizes:
        model.train(train_mode)
        with torch.no_grad():
            preds = torch.cat([model(chunk).argmax(1) for chunk in torch.split(x, bs)])
        out[int(bs)] = float((preds == y).sum()) / float(len(y))
    with torch.no_grad():
        for k, v in model.state_dict().items():
            v.copy_(tensors[k])
    for m, f in zip(model.modules(), flags):
        m.training = f
    return out
