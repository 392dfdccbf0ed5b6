# Wrong (edge: even output sizes): takes the centre as ((H'-1)//2, (W'-1)//2), one unit off the contract's (H'//2, W'//2) when a side is even.
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
        (grad,) = torch.autograd.grad(out[0, 0, (out.shape[2] - 1) // 2, (out.shape[3] - 1) // 2], x)
    finally:
        for m, flag in flags.items():
            m.training = flag
    mask = (grad[0] != 0).any(dim=0).numpy()
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
