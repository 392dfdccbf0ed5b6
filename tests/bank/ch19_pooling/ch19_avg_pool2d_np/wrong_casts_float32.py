# Misconception: converts the input to float32 "to be safe": right on float32 maps, but float64 maps come back as
# float32 with only 7 digits.
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x, dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kernel, kernel), axis=(2, 3))
    return windows[:, :, ::stride, ::stride].mean(axis=(-2, -1))
