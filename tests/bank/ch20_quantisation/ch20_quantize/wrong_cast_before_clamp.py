# Wrong: casts to the 8-bit storage type before clamping, so out-of-range values wrap around.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.round(np.asarray(x, dtype=np.float32) / scale) + zero_point
    q = q.astype(np.uint8 if qmin >= 0 else np.int8)
    return np.clip(q, qmin, qmax).astype(np.int64)
