# Correct: Python's built-in round() also rounds ties to even; applied element-wise, then saturated.
def quantize(x, scale, zero_point, qmin, qmax):
    ratio = np.asarray(x, dtype=np.float32) / np.asarray(scale, dtype=np.float32)
    rounded = np.vectorize(round, otypes=[np.int64])(ratio)
    return np.minimum(np.maximum(rounded + np.asarray(zero_point, dtype=np.int64), qmin), qmax)
