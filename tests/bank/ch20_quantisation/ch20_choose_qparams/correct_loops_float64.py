# Correct: one channel at a time, in float64, with explicit integer ranges.
def choose_qparams(x, num_bits=8, symmetric=False, axis=None):
    x = np.asarray(x, dtype=np.float64)
    if axis is None:
        slices = [x.ravel()]
    else:
        slices = [np.take(x, c, axis=axis).ravel() for c in range(x.shape[axis])]
    if symmetric:
        qmin, qmax = -2 ** (num_bits - 1), 2 ** (num_bits - 1) - 1
    else:
        qmin, qmax = 0, 2 ** num_bits - 1
    eps = float(np.finfo(np.float32).eps)
    scales, zero_points = [], []
    for values in slices:
        lo = min(float(values.min()), 0.0)
        hi = max(float(values.max()), 0.0)
        if symmetric:
            scale = max(max(-lo, hi) / ((qmax - qmin) / 2), eps)
            zero_point = 0
        else:
            scale = max((hi - lo) / (qmax - qmin), eps)
            zero_point = int(min(max(qmin - round(lo / scale), qmin), qmax))
        scales.append(scale)
        zero_points.append(zero_point)
    return np.array(scales, dtype=np.float32), np.array(zero_points, dtype=np.int64)
