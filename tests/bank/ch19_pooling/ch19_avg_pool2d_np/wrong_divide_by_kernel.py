# Misconception: divides the window sum by k instead of by the k*k pixels in the window.
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(2, 3))
    return windows[:, :, ::stride, ::stride].sum(axis=(-2, -1)) / kernel
