# Misconception: steps by the kernel size, ignoring the stride (only right when stride == kernel).
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(2, 3))
    return windows[:, :, ::kernel, ::kernel].max(axis=(-2, -1))
