# misconception: activations are always 4-D images, so a negative channel_axis can be turned into 4 + channel_axis
# (right for (N, H, W, C), wrong for (N, C) dense or (N, L, C) sequence activations)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    if channel_axis < 0:
        channel_axis += 4                                  # (N, H, W, C)
    others = tuple(d for d in range(a.ndim) if d != channel_axis)
    return float(np.all(a <= 0, axis=others).mean())
