# misconception: applying softmax again "makes sure" the output is a probability
def predict_proba_torch(model, x):
    replica = copy.deepcopy(model).eval()
    batch = x if x.dim() == 4 else x.unsqueeze(0)
    with torch.no_grad():
        probs = torch.softmax(torch.softmax(replica(batch), dim=1), dim=1)
    return probs[0] if x.dim() == 3 else probs
