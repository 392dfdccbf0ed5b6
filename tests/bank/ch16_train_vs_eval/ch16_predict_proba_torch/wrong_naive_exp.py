# misconception: softmax is exp / sum(exp) as written (overflows to inf / inf = nan for large logits)
def predict_proba_torch(model, x):
    flags = [(m, m.training) for m in model.modules()]
    single = x.dim() == 3
    model.eval()
    with torch.no_grad():
        e = torch.exp(model(x[None] if single else x))
        probs = e / e.sum(dim=1, keepdim=True)
    for m, f in flags:
        m.training = f
    return probs[0] if single else probs
