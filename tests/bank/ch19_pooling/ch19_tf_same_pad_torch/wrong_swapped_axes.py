# Misconception: lists the pads as (top, bottom, left, right), but F.pad starts with the LAST axis (width).
def tf_same_pad_torch(x, kernel, stride):
    pads = []
    for size in (x.shape[-2], x.shape[-1]):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)
