# Misconception: cuts the map into non-overlapping k x k blocks with a reshape, which is average pooling only when
# the stride equals the kernel.
def avg_pool2d_np(x, kernel, stride):
    x = np.asarray(x)
    n, c, h, w = x.shape
    hb, wb = h // kernel, w // kernel
    blocks = x[:, :, :hb * kernel, :wb * kernel].reshape(n, c, hb, kernel, wb, kernel)
    return blocks.mean(axis=(3, 5))
