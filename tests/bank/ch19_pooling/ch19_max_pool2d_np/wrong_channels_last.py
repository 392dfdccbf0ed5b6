# Misconception: treats the input as NHWC and pools axes 1 and 2 (channels and height) instead of H and W.
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(1, 2))
    return windows[:, ::stride, ::stride].max(axis=(-2, -1))
