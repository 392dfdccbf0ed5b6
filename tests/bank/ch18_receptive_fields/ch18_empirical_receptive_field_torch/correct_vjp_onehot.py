# Correct (new style: torch.func.vjp): pull a one-hot cotangent (channel 0, centre unit) back through the model; modes saved and restored by name.
import torch
import torch.nn as nn
from torch.func import vjp


def empirical_receptive_field_torch(model, input_size):
    channels = next(m.in_channels for m in model.modules() if isinstance(m, nn.Conv2d))
    param = next(model.parameters())
    modes = {name: m.training for name, m in model.named_modules()}
    model.eval()
    try:
        x = torch.rand(1, channels, input_size, input_size, dtype=param.dtype, device=param.device) * 2 - 1
        out, pull_back = vjp(model, x)
        onehot = torch.zeros_like(out)
        onehot[0, 0, out.shape[-2] // 2, out.shape[-1] // 2] = 1
        (grad,) = pull_back(onehot)
    finally:
        for name, m in model.named_modules():
            m.training = modes[name]
    hit = grad[0].ne(0).any(dim=0)
    rows = torch.nonzero(hit.any(dim=1)).flatten()
    cols = torch.nonzero(hit.any(dim=0)).flatten()
    if rows.numel() == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]).item()) + 1
