# misconception: the dead fraction is the share of zero activations (that is sparsity; most of it is normal)
def dead_channel_fraction(activations, channel_axis):
    return float(np.mean(np.asarray(activations) <= 0))
