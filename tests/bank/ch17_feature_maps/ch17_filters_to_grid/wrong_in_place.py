# misconception: scaling in place saves memory and does no harm (np.asarray does not copy: the caller's weights,
# the model's own parameters, are overwritten)
def filters_to_grid(weights, layout):
    w = np.asarray(weights)
    for f in range(w.shape[0] if layout == "torch" else w.shape[-1]):
        view = w[f] if layout == "torch" else w[..., f]
        lo, hi = view.min(), view.max()
        if hi > lo:
            view -= lo
            view /= hi - lo
        else:
            view[...] = 0.5
    w = w.astype(np.float64)
    return w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
