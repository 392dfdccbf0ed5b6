# alternative: np.einsum-style axis strings for the layout, np.interp to map each filter's [min, max] onto [0, 1]
def filters_to_grid(weights, layout):
    source = {"torch": "oihw", "keras": "hwio"}[layout]
    w = np.einsum(f"{source}->ohwi", np.asarray(weights, dtype=np.float64))
    out = np.empty_like(w)
    for k, f in enumerate(w):
        lo, hi = float(f.min()), float(f.max())
        out[k] = np.full_like(f, 0.5) if lo == hi else np.interp(f, (lo, hi), (0.0, 1.0))
    return out
