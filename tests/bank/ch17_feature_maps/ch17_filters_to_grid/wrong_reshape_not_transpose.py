# misconception: a reshape changes the layout (it only reinterprets the memory; the pixels get scrambled)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    if layout == "torch":
        o, i, kh, kw = w.shape
    else:
        kh, kw, i, o = w.shape
    w = w.reshape(o, kh, kw, i)
    low = w.min(axis=(1, 2, 3), keepdims=True)
    span = w.max(axis=(1, 2, 3), keepdims=True) - low
    return np.where(span > 0, (w - low) / np.where(span > 0, span, 1.0), 0.5)
