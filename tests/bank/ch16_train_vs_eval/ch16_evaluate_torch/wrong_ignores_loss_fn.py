# misconception: evaluation always means cross-entropy, so the loss_fn argument can be ignored
def evaluate_torch(model, loader, loss_fn):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += float(nn.functional.cross_entropy(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    for m, f in flags:
        m.training = f
    return total / count, correct / count
