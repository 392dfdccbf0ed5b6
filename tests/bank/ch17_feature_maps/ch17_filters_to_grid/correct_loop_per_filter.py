# alternative: one filter at a time
def filters_to_grid(weights, layout):
    w = np.array(weights, dtype=float)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    images = []
    for f in w:
        lo, hi = f.min(), f.max()
        images.append(np.full_like(f, 0.5) if hi == lo else (f - lo) / (hi - lo))
    return np.stack(images)
