# misconception: a filter whose values are all "close" is constant (np.isclose(max, min) turns a filter with a tiny
# but real range into flat grey; only max == min is constant)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    out = np.empty_like(w)
    for o, f in enumerate(w):
        lo, hi = f.min(), f.max()
        out[o] = 0.5 if np.isclose(hi, lo) else (f - lo) / (hi - lo)
    return out
