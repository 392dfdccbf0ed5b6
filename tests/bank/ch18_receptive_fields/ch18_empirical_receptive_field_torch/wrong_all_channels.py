# Wrong: backpropagates the centre position of ALL output channels instead of channel 0 only.
import numpy as np
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    flags = {m: m.training for m in model.modules()}
    model.eval()
    x = torch.randn(1, conv.in_channels, input_size, input_size, requires_grad=True)
    out = model(x)
    out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    for m, flag in flags.items():
        m.training = flag
    mask = (x.grad[0] != 0).any(dim=0).numpy()
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
