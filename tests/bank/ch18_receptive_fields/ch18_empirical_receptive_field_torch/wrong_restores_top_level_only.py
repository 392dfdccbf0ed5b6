# Wrong (edge: mixed mode on arrival): restores only the top-level flag with model.train(was_training), which unfreezes a frozen BatchNorm.
import numpy as np
import torch
import torch.nn as nn


def empirical_receptive_field_torch(model, input_size):
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    was_training = model.training
    model.eval()
    x = torch.randn(1, conv.in_channels, input_size, input_size, requires_grad=True)
    out = model(x)
    (grad,) = torch.autograd.grad(out[0, 0, out.shape[2] // 2, out.shape[3] // 2], x)
    model.train(was_training)
    mask = (grad[0] != 0).any(dim=0).numpy()
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return 0
    return int(max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1)
