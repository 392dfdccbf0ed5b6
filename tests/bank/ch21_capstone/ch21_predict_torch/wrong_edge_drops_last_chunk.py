# wrong: predicts in chunks of 8 with range(len // 8): a partial last chunk (N not a multiple of 8) gets no answer
def predict_torch(model, images_uint8):
    flags = [(m, m.training) for m in model.modules()]
    device = next(model.parameters()).device
    model.eval()
    ids = []
    with torch.no_grad():
        for k in range(len(images_uint8) // 8):
            chunk = images_uint8[8 * k:8 * k + 8].astype(np.float32) / 255.0
            chunk = (chunk - model.pixel_mean) / model.pixel_std
            x = torch.from_numpy(np.ascontiguousarray(chunk.transpose(0, 3, 1, 2))).to(device)
            ids.append(model(x).argmax(dim=1).cpu().numpy())
    for m, flag in flags:
        m.training = flag
    return np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
