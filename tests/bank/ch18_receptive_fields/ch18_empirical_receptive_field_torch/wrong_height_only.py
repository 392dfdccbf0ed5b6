# Wrong: reports only the height of the region, so wide, flat fields come out too small.
import numpy as np
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    flags = {m: m.training for m in model.modules()}
    model.eval()
    x = torch.randn(1, conv.in_channels, input_size, input_size, requires_grad=True)
    out = model(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    for m, flag in flags.items():
        m.training = flag
    rows = np.flatnonzero((x.grad[0] != 0).any(dim=0).any(dim=1).numpy())
    return int(rows[-1] - rows[0] + 1)
