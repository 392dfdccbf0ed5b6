# misconception: softmax over dim 0 (the batch axis) instead of the class axis
def predict_proba_torch(model, x):
    replica = copy.deepcopy(model).eval()
    batch = x if x.dim() == 4 else x.unsqueeze(0)
    with torch.no_grad():
        probs = torch.softmax(replica(batch), dim=0)
    return probs[0] if x.dim() == 3 else probs
