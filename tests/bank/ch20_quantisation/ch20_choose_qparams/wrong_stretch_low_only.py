# Wrong (edge: all-negative input): stretches lo down to 0 but forgets hi = max(hi, 0), so a negative range keeps hi < 0.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float32)
    qmin, qmax = (-(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1) if symmetric else (0, 2 ** num_bits - 1)
    if axis is None:
        lo, hi = x.min().reshape(1), x.max().reshape(1)
    else:
        flat = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        lo, hi = flat.min(axis=1), flat.max(axis=1)
    lo = np.minimum(lo, 0)
    eps = np.finfo(np.float32).eps
    if symmetric:
        scale = np.maximum(np.maximum(-lo, hi) / np.float32((qmax - qmin) / 2), eps)
        return scale.astype(np.float32), np.zeros(scale.shape, dtype=np.int64)
    scale = np.maximum((hi - lo) / np.float32(qmax - qmin), eps)
    return scale.astype(np.float32), np.clip(qmin - np.round(lo / scale), qmin, qmax).astype(np.int64)
