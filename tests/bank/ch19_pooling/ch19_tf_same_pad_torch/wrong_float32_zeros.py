# Misconception: builds the padded result with torch.zeros(...) and copies the input in: right on float32 inputs,
# but a float64 tensor comes back as float32 (torch.zeros has its own default dtype and device).
def tf_same_pad_torch(x, kernel, stride):
    def split(n):
        total = max((-(-n // stride) - 1) * stride + kernel - n, 0)
        return total // 2, total - total // 2
    n, c, h, w = x.shape
    (top, bottom), (left, right) = split(h), split(w)
    out = torch.zeros(n, c, h + top + bottom, w + left + right)
    out[:, :, top:top + h, left:left + w] = x
    return out
