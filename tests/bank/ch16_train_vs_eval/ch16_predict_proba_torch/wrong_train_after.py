# misconception: models live in train mode, so model.train() afterwards restores it (wrong if it arrived in eval)
def predict_proba_torch(model, x):
    single = x.dim() == 3
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(x[None] if single else x), dim=1)
    model.train()
    return probs[0] if single else probs
