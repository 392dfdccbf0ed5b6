# Wrong (edge: input size near the field, even sizes): assumes the field is centred on the input's middle pixel and reports 2 * (largest distance) + 1.
import numpy as np
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    flags = {m: m.training for m in model.modules()}
    model.eval()
    try:
        x = torch.randn(1, conv.in_channels, input_size, input_size, requires_grad=True)
        out = model(x)
        (grad,) = torch.autograd.grad(out[0, 0, out.shape[2] // 2, out.shape[3] // 2], x)
    finally:
        for m, flag in flags.items():
            m.training = flag
    rows, cols = np.nonzero((grad[0] != 0).any(dim=0).numpy())
    if rows.size == 0:
        return 0
    centre = input_size // 2
    reach = max(np.abs(rows - centre).max(), np.abs(cols - centre).max())
    return int(2 * reach + 1)
