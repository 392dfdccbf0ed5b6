# misconception: torch.no_grad() alone switches to inference behaviour (it does not: Dropout/BatchNorm stay in train mode)
def evaluate_torch(model, loader, loss_fn):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    return total / count, correct / count
