# Wrong: takes the square root of the NUMBER of pixels with a gradient, which undercounts fields with holes (dilation).
import math

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
    count = int((x.grad[0] != 0).any(dim=0).sum())
    return int(round(math.sqrt(count)))
