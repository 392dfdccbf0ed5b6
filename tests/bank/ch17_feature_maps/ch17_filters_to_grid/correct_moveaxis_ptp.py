# alternative: np.moveaxis for the layout, np.ptp for the range, np.divide with `where` for constant filters
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float32)
    if layout == "torch":
        w = np.moveaxis(w, 1, -1)            # (O, kH, kW, I)
    else:
        w = np.moveaxis(w, -1, 0)            # (O, kH, kW, I)
    flat = w.reshape(len(w), -1)
    low = flat.min(axis=1)[:, None, None, None]
    span = np.ptp(flat, axis=1)[:, None, None, None]
    out = np.full(w.shape, 0.5, dtype=np.float32)
    np.divide(w - low, span, out=out, where=np.broadcast_to(span > 0, w.shape))
    return out
