# Correct: an all-ones input, backward() on the single unit, bounding box with torch.nonzero.
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    saved = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        device = next(model.parameters()).device
        x = torch.ones(1, conv.in_channels, input_size, input_size, device=device, requires_grad=True)
        out = model(x)
        out[0, 0, out.shape[-2] // 2, out.shape[-1] // 2].backward()
    finally:
        for m, flag in saved:
            m.training = flag
    model.zero_grad(set_to_none=True)
    where = torch.nonzero(x.grad[0].abs().sum(dim=0))
    if len(where) == 0:
        return 0
    height = int(where[:, 0].max() - where[:, 0].min()) + 1
    width = int(where[:, 1].max() - where[:, 1].min()) + 1
    return max(height, width)
