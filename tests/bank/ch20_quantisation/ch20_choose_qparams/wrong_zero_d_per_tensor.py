# Wrong (contract: shape (1,) per tensor): returns 0-d arrays per tensor, unlike the observer's calculate_qparams.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float32)
    qmin, qmax = (-(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1) if symmetric else (0, 2 ** num_bits - 1)
    if axis is None:
        lo, hi = x.min(), x.max()
    else:
        flat = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        lo, hi = flat.min(axis=1), flat.max(axis=1)
    lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
    eps = np.finfo(np.float32).eps
    if symmetric:
        scale = np.asarray(np.maximum(np.maximum(-lo, hi) / np.float32((qmax - qmin) / 2), eps), dtype=np.float32)
        return scale, np.zeros(scale.shape, dtype=np.int64)
    scale = np.asarray(np.maximum((hi - lo) / np.float32(qmax - qmin), eps), dtype=np.float32)
    return scale, np.asarray(np.clip(qmin - np.round(lo / scale), qmin, qmax)).astype(np.int64)
