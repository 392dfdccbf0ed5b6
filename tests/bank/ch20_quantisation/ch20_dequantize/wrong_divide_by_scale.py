# Wrong: divides by the scale (the quantize direction) instead of multiplying.
def dequantize(q, scale, zero_point):
    return ((np.asarray(q, dtype=np.int64) - zero_point) / np.asarray(scale)).astype(np.float32)
