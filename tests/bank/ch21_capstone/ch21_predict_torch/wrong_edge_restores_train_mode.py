# wrong: assumes the model always arrives in training mode and calls model.train() afterwards (eval on arrival breaks)
def predict_torch(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(next(model.parameters()).device)
    model.eval()
    with torch.no_grad():
        ids = model(x).argmax(dim=1).cpu().numpy()
    model.train()
    return ids
