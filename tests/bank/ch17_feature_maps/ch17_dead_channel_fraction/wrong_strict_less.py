# misconception: dead means negative (ReLU outputs are never negative: dead units output exact zeros)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    axis = channel_axis % a.ndim
    others = tuple(d for d in range(a.ndim) if d != axis)
    return float(np.all(a < 0, axis=others).mean())
