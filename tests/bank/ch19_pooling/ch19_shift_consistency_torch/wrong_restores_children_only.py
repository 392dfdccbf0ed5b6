# Misconception: saves and restores the flags of model.children() only: a nested submodule (inside a Sequential)
# stays in eval mode afterwards.
def shift_consistency_torch(model, images, shifts):
    flags = [(child, child.training) for child in model.children()]
    was_training = model.training
    model.eval()
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        for dy, dx in shifts:
            pred = model(torch.roll(images, (dy, dx), dims=(2, 3))).argmax(1)
            agree += int((pred == base).sum())
            total += len(images)
    for child, flag in flags:
        child.training = flag
    model.training = was_training
    return agree / total
