# Wrong: floor(v + 0.5) rounds every tie up (TensorFlow fake-quant style), not to even.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.floor(np.asarray(x, dtype=np.float32) / scale + 0.5) + zero_point
    return np.clip(q, qmin, qmax).astype(np.int64)
