# Wrong: rounds ties away from zero (C's round()), not to even.
def quantize(x, scale, zero_point, qmin, qmax):
    v = np.asarray(x, dtype=np.float32) / scale
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + zero_point
    return np.clip(q, qmin, qmax).astype(np.int64)
