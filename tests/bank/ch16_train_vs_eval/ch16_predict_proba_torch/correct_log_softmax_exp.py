# correct: exp(log_softmax) on a copy of the model in eval mode
def predict_proba_torch(model, x):
    replica = copy.deepcopy(model).eval()
    batch = x if x.ndim == 4 else x[None]
    with torch.inference_mode():
        probs = torch.log_softmax(replica(batch), dim=-1).exp()
    return probs.squeeze(0) if x.ndim == 3 else probs
