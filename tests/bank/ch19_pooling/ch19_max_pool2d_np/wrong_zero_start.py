# Misconception: the running maximum starts at 0, so all-negative windows come out as 0.
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    result = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    for i in range(kernel):
        for j in range(kernel):
            result = np.maximum(result, x[:, :, i:i + stride * (out_h - 1) + 1:stride, j:j + stride * (out_w - 1) + 1:stride])
    return result
