# misconception: one min-max scale for the whole grid is enough (filters with small weights fade to grey)
def filters_to_grid(weights, layout):
    w = np.asarray(weights, dtype=np.float64)
    w = w.transpose(0, 2, 3, 1) if layout == "torch" else w.transpose(3, 0, 1, 2)
    span = w.max() - w.min()
    return (w - w.min()) / span if span > 0 else np.full(w.shape, 0.5)
