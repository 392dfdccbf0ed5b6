# misconception: model.state_dict() is a snapshot (its tensors are the live buffers, updated by train-mode passes)
def accuracy_by_batch_size(model, x, y, batch_sizes, train_mode):
    saved_state = model.state_dict()
    saved_flags = [m.training for m in model.modules()]
    result = {}
    model.train(train_mode)
    with torch.no_grad():
        for bs in batch_sizes:
            preds = torch.cat([model(x[i:i + bs]).argmax(1) for i in range(0, len(x), bs)])
            result[int(bs)] = float((preds == y).float().mean())
    model.load_state_dict(saved_state)
    for m, f in zip(model.modules(), saved_flags):
        m.training = f
    return result
