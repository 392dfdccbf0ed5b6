# misconception: inputs should always be cast to float32 (a float64 model then fails)
def evaluate_torch(model, loader, loss_fn):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x.float())
            total += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    for m, f in flags:
        m.training = f
    return total / count, correct / count
