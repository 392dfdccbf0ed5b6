# Misconception: total padding k - s regardless of the input size (right only when n is a multiple of s).
def tf_same_pad_torch(x, kernel, stride):
    total = max(kernel - stride, 0)
    return F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))
