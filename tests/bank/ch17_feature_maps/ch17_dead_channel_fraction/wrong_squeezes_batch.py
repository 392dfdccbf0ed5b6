# misconception: np.squeeze is a harmless tidy-up (with a batch of ONE image it removes the batch axis, and
# channel_axis then points at the wrong axis)
def dead_channel_fraction(activations, channel_axis):
    a = np.squeeze(np.asarray(activations))
    axis = channel_axis % a.ndim
    others = tuple(d for d in range(a.ndim) if d != axis)
    return float(np.all(a <= 0, axis=others).mean())
