# misconception: a channel is dead when its mean is <= 0 (it may still fire strongly somewhere)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    axis = channel_axis % a.ndim
    others = tuple(d for d in range(a.ndim) if d != axis)
    return float((a.mean(axis=others) <= 0).mean())
