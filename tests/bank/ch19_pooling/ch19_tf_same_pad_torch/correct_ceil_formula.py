# Output size ceil(n / s) first, then the padding that makes the last window end at the input's edge.
def tf_same_pad_torch(x, kernel, stride):
    import math
    import torch.nn.functional as F
    height, width = x.shape[-2], x.shape[-1]
    out_h, out_w = math.ceil(height / stride), math.ceil(width / stride)
    pad_h = max((out_h - 1) * stride + kernel - height, 0)
    pad_w = max((out_w - 1) * stride + kernel - width, 0)
    return F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))
