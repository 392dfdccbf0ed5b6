# wrong: restores only the top-level mode; model.train(flag) overwrites every submodule's own flag
def predict_torch(model, images_uint8):
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(next(model.parameters()).device)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        ids = model(x).argmax(dim=1).cpu().numpy()
    model.train(was_training)
    return ids
