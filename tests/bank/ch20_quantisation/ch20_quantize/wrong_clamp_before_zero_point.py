# Wrong: clamps round(x / scale) to [qmin, qmax] first and adds the zero point afterwards.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.clip(np.round(np.asarray(x, dtype=np.float32) / scale), qmin, qmax)
    return (q + zero_point).astype(np.int64)
