# Misconception: forgets to clamp the total at 0; a negative pad makes F.pad crop the input when kernel < stride.
def tf_same_pad_torch(x, kernel, stride):
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        out = -(-size // stride)
        total = (out - 1) * stride + kernel - size
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)
