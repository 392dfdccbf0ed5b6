# Misconception: no_grad is enough; forgets model.eval(), so Dropout stays active and predictions are random.
def shift_consistency_torch(model, images, shifts):
    agree = total = 0
    with torch.no_grad():
        base = model(images).argmax(1)
        for dy, dx in shifts:
            pred = model(torch.roll(images, (dy, dx), dims=(2, 3))).argmax(1)
            agree += int((pred == base).sum())
            total += len(images)
    return agree / total
