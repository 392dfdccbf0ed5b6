# misconception: "on its own" means each input channel of each filter separately (distorts the filter's colours)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    low = w.min(axis=(1, 2), keepdims=True)
    span = w.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 0, (w - low) / np.where(span > 0, span, 1.0), 0.5)
