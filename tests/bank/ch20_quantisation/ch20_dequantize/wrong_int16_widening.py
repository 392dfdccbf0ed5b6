# Wrong (edge: int32 q, e.g. quantised biases): widens to int16, enough for 8-bit q but wrapping values beyond 32767.
def dequantize(q, scale, zero_point):
    centred = np.asarray(q).astype(np.int16) - np.asarray(zero_point, dtype=np.int16)
    return (centred * np.asarray(scale, dtype=np.float32)).astype(np.float32)
