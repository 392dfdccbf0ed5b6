# misconception: models are evaluated during training, so put it back with model.train() (wrong if it arrived in eval)
def evaluate_torch(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += float(loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    model.train()
    return total / count, correct / count
