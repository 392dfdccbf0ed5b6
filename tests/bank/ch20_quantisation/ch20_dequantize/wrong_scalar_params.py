# Wrong (edge: per-channel scale and zero_point arrays): turns them into Python numbers with float() and int().
def dequantize(q, scale, zero_point):
    return ((np.asarray(q, dtype=np.int64) - int(zero_point)) * float(scale)).astype(np.float32)
