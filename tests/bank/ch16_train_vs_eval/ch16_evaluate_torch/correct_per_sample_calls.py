# correct: one loss_fn call per sample (a batch of one), so the mean over samples needs no weighting; ExitStack
import contextlib


def evaluate_torch(model, loader, loss_fn):
    saved = {name: module.training for name, module in model.named_modules()}
    per_sample, hits = [], []
    with contextlib.ExitStack() as stack:
        stack.callback(lambda: [setattr(m, "training", saved[n]) for n, m in model.named_modules()])
        stack.enter_context(torch.no_grad())
        model.eval()
        for x, y in loader:
            logits = model(x)
            for i in range(len(y)):
                per_sample.append(float(loss_fn(logits[i:i + 1], y[i:i + 1])))
                hits.append(bool(logits[i].argmax() == y[i]))
    return float(np.mean(per_sample)), float(np.mean(hits))
