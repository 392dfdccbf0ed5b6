# misconception: np.squeeze tidies the result for imshow (it also drops the channel axis of single-channel filters,
# and the filter axis when there is only one)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    low = w.min(axis=(1, 2, 3), keepdims=True)
    span = w.max(axis=(1, 2, 3), keepdims=True) - low
    return np.squeeze(np.where(span > 0, (w - low) / np.where(span > 0, span, 1.0), 0.5))
