# Misconception: restores only the top-level flag with model.train(was_training), which overwrites every submodule.
def shift_consistency_torch(model, images, shifts):
    was_training = model.training
    model.eval()
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        for dy, dx in shifts:
            pred = model(torch.roll(images, (dy, dx), dims=(2, 3))).argmax(1)
            agree += int((pred == base).sum())
            total += len(images)
    model.train(was_training)
    return agree / total
