# Correct values, but a Python loop over every output pixel: far too slow on real feature maps.
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    n, c, h, w = x.shape
    out_h, out_w = (h - kernel) // stride + 1, (w - kernel) // stride + 1
    out = np.empty((n, c, out_h, out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + kernel, j * stride:j * stride + kernel].max(axis=(2, 3))
    return out
