# Loop over the k*k offsets inside the window (k*k iterations, not one per output pixel) and keep a running maximum.
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    out_h = (x.shape[2] - kernel) // stride + 1
    out_w = (x.shape[3] - kernel) // stride + 1
    result = None
    for i in range(kernel):
        for j in range(kernel):
            part = x[:, :, i:i + stride * (out_h - 1) + 1:stride, j:j + stride * (out_w - 1) + 1:stride]
            result = part.copy() if result is None else np.maximum(result, part)
    return result
