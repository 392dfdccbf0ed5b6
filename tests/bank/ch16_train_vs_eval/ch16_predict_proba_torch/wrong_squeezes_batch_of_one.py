# misconception: squeeze(0) turns the one-image answer into a vector (it also squeezes a batch of one)
def predict_proba_torch(model, x):
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(x.unsqueeze(0) if x.dim() == 3 else x), dim=1)
    for m, f in flags:
        m.training = f
    return probs.squeeze(0)
