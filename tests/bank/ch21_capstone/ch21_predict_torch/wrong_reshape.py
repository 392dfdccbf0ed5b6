# wrong: moves the channel axis with reshape instead of a transpose (pixels scrambled)
def predict_torch(model, images_uint8):
    n, h, w, c = images_uint8.shape
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = torch.from_numpy(x.reshape(n, c, h, w)).to(next(model.parameters()).device)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        ids = model(x).argmax(dim=1).cpu().numpy()
    model.train(was_training)
    return ids
