# Wrong (edge: exact ties with an odd zero point): rounds x / scale + zero_point, like PyTorch's x86 kernel, not round(x / scale) + zero_point.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.round(np.asarray(x, dtype=np.float32) / np.asarray(scale, dtype=np.float32) + np.asarray(zero_point))
    return np.clip(q, qmin, qmax).astype(np.int64)
