# Wrong (edge: qmin/qmax other than 0..255): clamps to the uint8 range whatever qmin and qmax say.
def quantize(x, scale, zero_point, qmin, qmax):
    q = np.round(np.asarray(x, dtype=np.float32) / np.asarray(scale, dtype=np.float32)) + np.asarray(zero_point)
    return np.clip(q, 0, 255).astype(np.int64)
