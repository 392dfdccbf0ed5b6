# Wrong (edge: per-channel scale and zero_point arrays): turns them into Python numbers with float() and int().
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.round(np.asarray(x, dtype=np.float32) / float(scale)) + int(zero_point)
    return np.clip(q, qmin, qmax).astype(np.int64)
