# Misconception: computes one output size from the height and uses it for both axes (right only on square maps).
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    out = (x.shape[2] - kernel) // stride + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(2, 3))
    return windows[:, :, ::stride, ::stride][:, :, :out, :out].mean(axis=(-2, -1))
