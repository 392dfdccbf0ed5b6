# misconception: the weights' own dtype is precise enough (float16 weights, e.g. from a half-precision model, are then
# scaled in float16 and come out visibly off)
def filters_to_grid(weights, layout):
    w = np.asarray(weights)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    low = w.min(axis=(1, 2, 3), keepdims=True)
    span = w.max(axis=(1, 2, 3), keepdims=True) - low
    safe = np.where(span > 0, span, np.ones_like(span))
    return np.where(span > 0, (w - low) / safe, np.asarray(0.5, dtype=w.dtype))
