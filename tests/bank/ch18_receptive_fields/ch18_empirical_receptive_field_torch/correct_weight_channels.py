# Correct: channels from the first 4-D weight, eval via a context that restores flags, extents via np.ptp.
import numpy as np
import torch


def empirical_receptive_field_torch(model, input_size):
    first_weight = next(p for p in model.parameters() if p.dim() == 4)
    first_conv = next(m for m in model.modules() if getattr(m, "weight", None) is first_weight)
    channels = first_weight.shape[1] * getattr(first_conv, "groups", 1)
    flags = {name: m.training for name, m in model.named_modules()}
    model.train(False)
    x = torch.rand(1, channels, input_size, input_size, device=first_weight.device) - 0.5
    x.requires_grad_(True)
    try:
        y = model(x)
        h, w = y.shape[2], y.shape[3]
        grad = torch.autograd.grad(y[0, 0, h // 2, w // 2], x)[0]
    finally:
        for name, m in model.named_modules():
            m.training = flags[name]
    rows, cols = np.nonzero((grad[0] != 0).any(dim=0).cpu().numpy())
    if rows.size == 0:
        return 0
    return int(max(np.ptp(rows), np.ptp(cols)) + 1)
