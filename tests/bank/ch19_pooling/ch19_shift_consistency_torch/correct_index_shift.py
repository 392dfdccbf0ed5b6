# Circular shift by index arithmetic instead of torch.roll; counts agreements image by image.
def shift_consistency_torch(model, images, shifts):
    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    device = next(model.parameters()).device
    x = images.to(device)
    h, w = x.shape[-2], x.shape[-1]
    agree = 0
    try:
        with torch.no_grad():
            base = model(x).argmax(dim=1)
            for dy, dx in shifts:
                rows = (torch.arange(h, device=device) - dy) % h
                cols = (torch.arange(w, device=device) - dx) % w
                shifted = x[:, :, rows][:, :, :, cols]
                agree += int((model(shifted).argmax(dim=1) == base).sum().item())
    finally:
        for name, m in model.named_modules():
            m.training = flags[name]
    return agree / (len(x) * len(shifts))
