# Misconception: computes the padding from the height and applies it to both axes (right only on square inputs).
def tf_same_pad_torch(x, kernel, stride):
    size = x.shape[-2]
    total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
    before, after = total // 2, total - total // 2
    return F.pad(x, (before, after, before, after))
