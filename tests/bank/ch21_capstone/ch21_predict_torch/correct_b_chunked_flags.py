# correct: remember every submodule's flag, predict in chunks of 7, restore the flags in a finally block
def predict_torch(model, images_uint8):
    saved = [(m, m.training) for m in model.modules()]
    device = next(model.parameters()).device
    model.eval()
    try:
        out = []
        for start in range(0, len(images_uint8), 7):
            chunk = images_uint8[start:start + 7].astype(np.float32) / 255.0
            chunk = (chunk - model.pixel_mean) / model.pixel_std
            x = torch.from_numpy(np.moveaxis(chunk, -1, 1).copy()).to(device)
            with torch.no_grad():
                out.append(model(x).argmax(dim=1).cpu().numpy())
        return np.concatenate(out)
    finally:
        for m, flag in saved:          # parents come before children, so each child ends with its own flag
            m.train(flag)
