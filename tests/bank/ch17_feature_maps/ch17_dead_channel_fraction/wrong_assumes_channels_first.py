# misconception: channels are always axis 1 (true for PyTorch, not for Keras' channels-last maps)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    others = tuple(d for d in range(a.ndim) if d != 1)
    return float(np.all(a <= 0, axis=others).mean())
