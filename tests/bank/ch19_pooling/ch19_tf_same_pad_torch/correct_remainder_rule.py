# TensorFlow's documented rule: total = max(k - s, 0) if n % s == 0 else max(k - n % s, 0); pads built into a zero tensor.
def tf_same_pad_torch(x, kernel, stride):
    def split(n):
        total = max(kernel - stride, 0) if n % stride == 0 else max(kernel - n % stride, 0)
        return total // 2, total - total // 2
    n, c, h, w = x.shape
    (top, bottom), (left, right) = split(h), split(w)
    out = x.new_zeros((n, c, h + top + bottom, w + left + right))
    out[:, :, top:top + h, left:left + w] = x
    return out
