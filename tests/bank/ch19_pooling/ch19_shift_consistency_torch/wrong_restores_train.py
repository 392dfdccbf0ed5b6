# Misconception: "models are in train mode between evaluations": switches to eval, and afterwards back to train
# mode with model.train(), which is right only for a model that arrived in train mode.
def shift_consistency_torch(model, images, shifts):
    model.eval()
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        for dy, dx in shifts:
            pred = model(torch.roll(images, (dy, dx), dims=(2, 3))).argmax(1)
            agree += int((pred == base).sum())
            total += len(images)
    model.train()
    return agree / total
