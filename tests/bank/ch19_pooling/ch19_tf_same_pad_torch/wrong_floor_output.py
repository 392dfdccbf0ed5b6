# Misconception: output size n // s (floor) instead of ceil(n / s): the same on the usual even sizes, but an odd
# size gets too little padding and loses its last output row/column.
def tf_same_pad_torch(x, kernel, stride):
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        out = size // stride
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)
