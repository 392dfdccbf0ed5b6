# alternative: count the channels in which anything is positive, then take the complement
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    axis = channel_axis if channel_axis >= 0 else a.ndim + channel_axis
    reduce_over = tuple(d for d in range(a.ndim) if d != axis)
    alive = np.any(a > 0, axis=reduce_over)
    return 1.0 - float(alive.mean())
