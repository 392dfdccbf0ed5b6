# Wrong (edge: Dropout in train mode): switches only the BatchNorm layers to eval (and back), so Dropout keeps dropping during the measurement.
import numpy as np
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    flags = [m.training for m in norms]
    for m in norms:
        m.eval()
    try:
        x = torch.randn(1, conv.in_channels, input_size, input_size, requires_grad=True)
        out = model(x)
        (grad,) = torch.autograd.grad(out[0, 0, out.shape[2] // 2, out.shape[3] // 2], x)
    finally:
        for m, flag in zip(norms, flags):
            m.train(flag)
    mask = (grad[0] != 0).any(dim=0).numpy()
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
