# misconception: "numerically zero" is dead too (a channel whose only output is a tiny positive value still fires;
# ReLU's dead units output exact zeros)
def dead_channel_fraction(activations, channel_axis):
    a = np.asarray(activations)
    axis = channel_axis % a.ndim
    others = tuple(d for d in range(a.ndim) if d != axis)
    return float(np.all(a <= 1e-6, axis=others).mean())
