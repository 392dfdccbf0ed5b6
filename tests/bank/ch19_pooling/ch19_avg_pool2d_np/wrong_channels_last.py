# Misconception: treats the input as NHWC and averages over channels and height instead of H and W.
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(1, 2))
    return windows[:, ::stride, ::stride].mean(axis=(-2, -1))
