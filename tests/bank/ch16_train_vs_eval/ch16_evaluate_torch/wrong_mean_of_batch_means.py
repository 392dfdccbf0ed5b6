# misconception: averaging the batch losses gives the per-sample mean (not when the last batch is smaller)
def evaluate_torch(model, loader, loss_fn):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    losses, correct, count = [], 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            losses.append(float(loss_fn(logits, y)))
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    for m, f in flags:
        m.training = f
    return sum(losses) / len(losses), correct / count
