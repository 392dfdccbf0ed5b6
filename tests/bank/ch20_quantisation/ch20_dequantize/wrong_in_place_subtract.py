# Wrong (edge: an int64 q): np.asarray does not copy an int64 array, so q -= zero_point changes the caller's array.
def dequantize(q, scale, zero_point):
    q = np.asarray(q, dtype=np.int64)
    q -= np.asarray(zero_point, dtype=np.int64)
    return (q * np.asarray(scale, dtype=np.float64)).astype(np.float32)
