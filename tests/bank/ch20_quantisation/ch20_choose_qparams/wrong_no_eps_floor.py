# Wrong (edge: an all-zero tensor or channel): no eps floor on the scale, so a zero range gives scale 0 and 0/0 zero points.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float32)
    qmin, qmax = (-(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1) if symmetric else (0, 2 ** num_bits - 1)
    if axis is None:
        lo, hi = x.min().reshape(1), x.max().reshape(1)
    else:
        flat = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
        lo, hi = flat.min(axis=1), flat.max(axis=1)
    lo, hi = np.minimum(lo, 0), np.maximum(hi, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if symmetric:
            scale = np.maximum(-lo, hi) / np.float32((qmax - qmin) / 2)
            return scale.astype(np.float32), np.zeros(scale.shape, dtype=np.int64)
        scale = (hi - lo) / np.float32(qmax - qmin)
        zero_point = np.nan_to_num(np.clip(qmin - np.round(lo / scale), qmin, qmax))
    return scale.astype(np.float32), zero_point.astype(np.int64)
