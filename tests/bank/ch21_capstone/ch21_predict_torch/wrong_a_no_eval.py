# wrong: fixes preprocessing and layout but leaves BatchNorm and Dropout in training mode (no model.eval())
def predict_torch(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(next(model.parameters()).device)
    with torch.no_grad():
        return model(x).argmax(dim=1).cpu().numpy()
