# Correct: np.rint (ties to even) in float64, clamp, then a 32-bit integer result.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.rint(np.asarray(x, dtype=np.float64) / np.asarray(scale, dtype=np.float64))
    q = q + np.asarray(zero_point)
    return np.clip(q, qmin, qmax).astype(np.int32)
