# misconception: one sample is enough to tell (a channel can be silent on one image and fire on another)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    axis = channel_axis % a.ndim
    first = a[0]
    others = tuple(d for d in range(first.ndim) if d != axis - 1)
    return float(np.all(first <= 0, axis=others).mean())
