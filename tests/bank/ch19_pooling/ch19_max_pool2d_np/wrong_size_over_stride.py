# Misconception: output size H // stride (as if the kernel did not matter): right for the usual 2x2 or 3x3 windows
# at stride 2, but a 1x1 kernel on an odd size, or stride 1, loses the last rows and columns.
def max_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    out_h, out_w = x.shape[2] // stride, x.shape[3] // stride
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(2, 3))
    return windows[:, :, ::stride, ::stride][:, :, :out_h, :out_w].max(axis=(-2, -1))
