# misconception: torch.set_grad_enabled(False) is a harmless switch (it stays off for the caller afterwards)
def evaluate_torch(model, loader, loss_fn):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    torch.set_grad_enabled(False)
    total, correct, count = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        total += float(loss_fn(logits, y)) * len(y)
        correct += int((logits.argmax(1) == y).sum())
        count += len(y)
    for m, f in flags:
        m.training = f
    return total / count, correct / count
