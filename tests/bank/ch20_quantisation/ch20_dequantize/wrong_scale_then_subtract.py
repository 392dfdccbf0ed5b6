# Wrong: q * scale - zero_point mixes units: the zero point is an integer level, not a real value.
def dequantize(q, scale, zero_point):
    return (np.asarray(q, dtype=np.int64) * np.asarray(scale) - zero_point).astype(np.float32)
