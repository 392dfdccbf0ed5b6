# misconception: max - min is never zero (a constant filter divides by zero and turns into NaN)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    low = w.min(axis=(1, 2, 3), keepdims=True)
    high = w.max(axis=(1, 2, 3), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w - low) / (high - low)
