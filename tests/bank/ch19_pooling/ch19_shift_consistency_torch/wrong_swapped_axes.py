# Misconception: rolls dy along the width and dx along the height (dims swapped).
def shift_consistency_torch(model, images, shifts):
    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        for dy, dx in shifts:
            pred = model(torch.roll(images, (dy, dx), dims=(3, 2))).argmax(1)
            agree += int((pred == base).sum())
            total += len(images)
    for name, m in model.named_modules():
        m.training = flags[name]
    return agree / total
