# Wrong (edge: a negative axis): reduces over every axis "i != axis", so axis=-1 matches no axis and collapses everything.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float32)
    qmin, qmax = (-(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1) if symmetric else (0, 2 ** num_bits - 1)
    if axis is None:
        lo, hi = x.min(keepdims=True).reshape(1), x.max(keepdims=True).reshape(1)
    else:
        others = tuple(i for i in range(x.ndim) if i != axis)
        lo, hi = x.min(axis=others).reshape(-1), x.max(axis=others).reshape(-1)
    lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
    eps = np.finfo(np.float32).eps
    if symmetric:
        scale = np.maximum(np.maximum(-lo, hi) / np.float32((qmax - qmin) / 2), eps)
        return scale.astype(np.float32), np.zeros(scale.shape, dtype=np.int64)
    scale = np.maximum((hi - lo) / np.float32(qmax - qmin), eps)
    return scale.astype(np.float32), np.clip(qmin - np.round(lo / scale), qmin, qmax).astype(np.int64)
