# Misconception: right amount, wrong side: the odd extra row/column goes to the top/left (TensorFlow puts it bottom/right).
def tf_same_pad_torch(x, kernel, stride):
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total - total // 2, total // 2]
    return F.pad(x, pads)
