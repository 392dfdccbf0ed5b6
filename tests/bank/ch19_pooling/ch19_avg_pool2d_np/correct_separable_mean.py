# The mean over a k x k window is the mean over k rows of the row-wise means: two 1-D passes, each a cumulative sum
# along one axis whose differences give the window sums (computed in the input's own float dtype).
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)

    def pool_axis(a, axis):
        c = np.cumsum(a, axis=axis, dtype=a.dtype)
        c = np.concatenate([np.zeros_like(np.take(c, [0], axis=axis)), c], axis=axis)
        n = a.shape[axis]
        starts = np.arange(0, n - kernel + 1, stride)
        return (np.take(c, starts + kernel, axis=axis) - np.take(c, starts, axis=axis)) / a.dtype.type(kernel)

    return pool_axis(pool_axis(x, 2), 3)
