# Correct: subtract in int32 (wide enough for any 8-bit q and zero point), then scale.
def dequantize(q, scale, zero_point):
    centred = np.subtract(np.asarray(q, dtype=np.int32), np.asarray(zero_point, dtype=np.int32))
    return centred * np.asarray(scale, dtype=np.float64)
