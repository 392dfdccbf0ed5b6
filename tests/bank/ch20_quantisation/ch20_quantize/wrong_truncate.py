# Wrong: astype(int) truncates toward zero instead of rounding to the nearest level.
def quantize(x, scale, zero_point, qmin, qmax):
    q = (np.asarray(x, dtype=np.float32) / scale).astype(np.int64) + zero_point
    return np.clip(q, qmin, qmax).astype(np.int64)
