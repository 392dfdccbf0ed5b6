# Wrong (edge: num_bits != 8, symmetric): divides by 127.5 whatever num_bits says.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float32)
    if axis is None:
        lo, hi = x.min().reshape(1), x.max().reshape(1)
    else:
        flat = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        lo, hi = flat.min(axis=1), flat.max(axis=1)
    lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
    eps = np.finfo(np.float32).eps
    if symmetric:
        scale = np.maximum(np.maximum(-lo, hi) / np.float32(127.5), eps)
        return scale.astype(np.float32), np.zeros(scale.shape, dtype=np.int64)
    qmax = 2 ** num_bits - 1
    scale = np.maximum((hi - lo) / np.float32(qmax), eps)
    return scale.astype(np.float32), np.clip(-np.round(lo / scale), 0, qmax).astype(np.int64)
