# wrong: eval mode, right preprocessing, flags restored, but no torch.no_grad(): autograd records the whole pass
def predict_torch(model, images_uint8):
    flags = [(m, m.training) for m in model.modules()]
    x = (images_uint8.astype(np.float32) / 255.0 - model.pixel_mean) / model.pixel_std
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(next(model.parameters()).device)
    model.eval()
    ids = model(x).argmax(dim=1).cpu().numpy()
    for m, flag in flags:
        m.training = flag
    return ids
