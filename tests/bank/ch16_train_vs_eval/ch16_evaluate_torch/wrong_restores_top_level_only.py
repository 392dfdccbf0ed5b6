# misconception: model.train(was_training) restores the mode (it overwrites every submodule's own flag)
def evaluate_torch(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    model.train(was_training)
    return total / count, correct / count
