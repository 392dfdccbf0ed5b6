# Misconception: a circular shift by concatenating two slices, x[-d:] and x[:-d]: right for shifts of 0 and for
# shifts smaller than the image (negative ones too), but a shift larger than the image leaves it unshifted.
def shift_consistency_torch(model, images, shifts):
    def roll_rows(x, d):
        return torch.cat([x[:, :, -d:], x[:, :, :-d]], dim=2) if d else x

    def roll_cols(x, d):
        return torch.cat([x[:, :, :, -d:], x[:, :, :, :-d]], dim=3) if d else x

    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    agree = total = 0
    try:
        with torch.no_grad():
            base = model(images).argmax(1)
            for dy, dx in shifts:
                pred = model(roll_cols(roll_rows(images, int(dy)), int(dx))).argmax(1)
                agree += int((pred == base).sum())
                total += len(images)
    finally:
        for name, m in model.named_modules():
            m.training = flags[name]
    return agree / total
