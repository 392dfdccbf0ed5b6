# misconception: a measured model should end up in eval mode (wrong when it arrived in train mode)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    state = copy.deepcopy(model.state_dict())
    model.train(train_mode)
    result = {}
    with torch.no_grad():
        for bs in batch_sizes:
            preds = torch.cat([model(c).argmax(1) for c in torch.split(x, bs)])
            result[int(bs)] = float((preds == y).float().mean())
    model.load_state_dict(state)
    model.eval()
    return result
