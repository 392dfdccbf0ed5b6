# alternative: a channel is dead when its maximum over everything else is <= 0
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    per_channel = np.moveaxis(a, channel_axis, 0).reshape(a.shape[channel_axis], -1)
    return float((per_channel.max(axis=1) <= 0).sum() / per_channel.shape[0])
