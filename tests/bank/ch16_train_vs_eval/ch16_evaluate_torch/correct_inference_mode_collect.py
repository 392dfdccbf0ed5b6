# correct: inference_mode, collects all logits, restores flags by module name
def evaluate_torch(model, loader, loss_fn):
    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    device = next(model.parameters()).device
    losses, hits, n = [], [], 0
    try:
        with torch.inference_mode():
            for x, y in loader:
                x, y = x.to(device), y.to(device)
                out = model(x)
                losses.append(loss_fn(out, y).item() * y.shape[0])
                hits.append((out.argmax(-1) == y).sum().item())
                n += y.shape[0]
    finally:
        for name, m in model.named_modules():
            m.training = flags[name]
    return float(sum(losses) / n), float(sum(hits) / n)
