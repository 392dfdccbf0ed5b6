# misconception: switching to eval for prediction and leaving it there is harmless
def predict_proba_torch(model, x):
    model.eval()
    batch = x if x.dim() == 4 else x.unsqueeze(0)
    with torch.no_grad():
        probs = torch.softmax(model(batch), dim=1)
    return probs[0] if x.dim() == 3 else probs
