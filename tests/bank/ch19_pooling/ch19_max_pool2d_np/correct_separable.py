# Max pooling is separable: the maximum over a k x k window is the maximum over k rows of the row-wise maxima.
# Two 1-D passes, one per axis, each a strided window view reduced over its last axis.
def max_pool2d_np(x, kernel, stride):
    from numpy.lib.stride_tricks import sliding_window_view
    x = np.asarray(x)
    rows = sliding_window_view(x, kernel, axis=2)[:, :, ::stride].max(axis=-1)      # (N, C, H_out, W)
    return sliding_window_view(rows, kernel, axis=3)[:, :, :, ::stride].max(axis=-1)
