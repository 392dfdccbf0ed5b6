# correct: softmax by hand with the maximum subtracted, inference_mode, flags restored by module name
def predict_proba_torch(model, x):
    saved = dict((name, m.training) for name, m in model.named_modules())
    batch = x.reshape(1, *x.shape) if x.ndim == 3 else x
    model.eval()
    try:
        with torch.inference_mode():
            logits = model(batch)
            shifted = logits - logits.max(dim=-1, keepdim=True).values
            e = shifted.exp()
            probs = e / e.sum(dim=-1, keepdim=True)
    finally:
        for name, m in model.named_modules():
            m.training = saved[name]
    return probs.reshape(-1) if x.ndim == 3 else probs
