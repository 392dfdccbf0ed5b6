# Misconception: eval() alone is enough; every forward pass still builds an autograd graph (no torch.no_grad()).
def shift_consistency_torch(model, images, shifts):
    flags = {name: m.training for name, m in model.named_modules()}
    model.eval()
    base = model(images).argmax(1)
    agree = total = 0
    for dy, dx in shifts:
        pred = model(torch.roll(images, (dy, dx), dims=(2, 3))).argmax(1)
        agree += int((pred == base).sum())
        total += len(images)
    for name, m in model.named_modules():
        m.training = flags[name]
    return agree / total
