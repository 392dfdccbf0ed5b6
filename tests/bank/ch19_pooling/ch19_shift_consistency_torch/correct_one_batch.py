# All shifted copies in one batch under inference_mode; modes saved per module object and restored afterwards.
def shift_consistency_torch(model, images, shifts):
    saved = [(m, m.training) for m in model.modules()]
    device = next(iter(model.parameters())).device
    model.eval()
    try:
        with torch.inference_mode():
            x = images.to(device)
            batch = torch.cat([x] + [torch.roll(x, (dy, dx), (2, 3)) for dy, dx in shifts])
            preds = model(batch).argmax(1).reshape(len(shifts) + 1, len(x))
            same = (preds[1:] == preds[0]).float().mean()
    finally:
        for m, flag in saved:
            m.training = flag
    return float(same.item())
