# Misconception: shifts with zero fill (content pushed off the edge is lost) instead of a circular shift.
def shift_consistency_torch(model, images, shifts):
    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        h, w = images.shape[-2:]
        for dy, dx in shifts:
            shifted = torch.zeros_like(images)
            dy, dx = int(dy) % (2 * h), int(dx) % (2 * w)
            if dy < h and dx < w:
                shifted[:, :, dy:, dx:] = images[:, :, :h - dy, :w - dx]
            agree += int((model(shifted).argmax(1) == base).sum())
            total += len(images)
    for name, m in model.named_modules():
        m.training = flags[name]
    return agree / total
