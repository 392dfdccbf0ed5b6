# Misconception: the PyTorch habit padding = kernel // 2 on every side, as if 'same' were always symmetric.
def tf_same_pad_torch(x, kernel, stride):
    p = kernel // 2
    return F.pad(x, (p, p, p, p))
