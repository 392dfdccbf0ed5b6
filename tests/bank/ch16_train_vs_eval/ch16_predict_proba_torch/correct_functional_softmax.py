# correct: F.softmax, flags restored by zip
def predict_proba_torch(model, x):
    import torch.nn.functional as F
    flags = [m.training for m in model.modules()]
    model.eval()
    with torch.no_grad():
        out = F.softmax(model(x.unsqueeze(0) if x.dim() == 3 else x), dim=1)
    for m, f in zip(model.modules(), flags):
        m.training = f
    return out.reshape(-1) if x.dim() == 3 else out
