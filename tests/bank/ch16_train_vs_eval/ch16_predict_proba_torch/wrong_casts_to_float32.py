# misconception: inputs should always be cast to float32 (a float64 model then fails)
def predict_proba_torch(model, x):
    flags = [(m, m.training) for m in model.modules()]
    x = x.float()
    single = x.dim() == 3
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(x[None] if single else x), dim=1)
    for m, f in flags:
        m.training = f
    return probs[0] if single else probs
