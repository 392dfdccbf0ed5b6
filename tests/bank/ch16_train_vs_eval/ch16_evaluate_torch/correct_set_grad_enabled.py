# correct: set_grad_enabled(False), concatenates everything, computes once at the end
def evaluate_torch(model, loader, loss_fn):
    previous = [m.training for m in model.modules()]
    model.train(False)
    outputs, targets = [], []
    with torch.set_grad_enabled(False):
        for x, y in loader:
            outputs.append(model(x))
            targets.append(y)
    for m, flag in zip(model.modules(), previous):
        m.training = flag
    logits, labels = torch.cat(outputs), torch.cat(targets)
    per_batch = [(float(loss_fn(o, t)), len(t)) for o, t in zip(outputs, targets)]
    mean_loss = sum(l * k for l, k in per_batch) / len(labels)
    return mean_loss, float((logits.argmax(1) == labels).double().mean())
