# wrong: normalises with the ImageNet statistics from the serving template instead of the checkpoint's
def predict_torch(model, images_uint8):
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    flags = [(m, m.training) for m in model.modules()]
    x = (images_uint8.astype(np.float32) / 255.0 - mean) / std
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(next(model.parameters()).device)
    model.eval()
    with torch.no_grad():
        ids = model(x).argmax(dim=1).cpu().numpy()
    for m, flag in flags:
        m.training = flag
    return ids
