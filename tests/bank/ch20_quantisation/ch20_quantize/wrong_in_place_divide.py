# Wrong (edge: the caller's float32 array): divides x by the scale in place, so the caller's data changes.
def quantize(x, scale, zero_point, qmin, qmax):
    x = np.asarray(x)
    x /= np.asarray(scale, dtype=x.dtype)
    np.round(x, out=x)
    return np.clip(x + np.asarray(zero_point), qmin, qmax).astype(np.int64)
