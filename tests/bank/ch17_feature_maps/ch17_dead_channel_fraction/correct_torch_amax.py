# alternative: in torch, the largest value of each channel over all other axes (amax), dead when it is <= 0
def dead_channel_fraction(activations, channel_axis):
    t = torch.as_tensor(np.asarray(activations))
    axis = channel_axis if channel_axis >= 0 else t.dim() + channel_axis
    others = [d for d in range(t.dim()) if d != axis]
    peak = t.amax(dim=others) if others else t
    return (peak <= 0).double().mean().item()
