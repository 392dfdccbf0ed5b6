# Correct: convert q to float32 before subtracting, so no integer overflow can happen.
def dequantize(q, scale, zero_point):
    return ((np.asarray(q).astype(np.float32) - np.asarray(zero_point, dtype=np.float32))
            * np.asarray(scale, dtype=np.float32)).astype(np.float32)
