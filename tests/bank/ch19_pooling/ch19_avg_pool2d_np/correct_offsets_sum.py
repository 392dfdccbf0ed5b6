# Sum the k*k strided slices (one per offset inside the window), then divide by k*k.
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    total = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    for i in range(kernel):
        for j in range(kernel):
            total += x[:, :, i:i + stride * (out_h - 1) + 1:stride, j:j + stride * (out_w - 1) + 1:stride]
    return total / x.dtype.type(kernel * kernel)
