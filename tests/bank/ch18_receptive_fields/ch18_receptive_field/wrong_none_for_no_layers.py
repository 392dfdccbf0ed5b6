# Wrong (edge: empty network): returns None instead of an empty list when there are no layers.
def receptive_field(layers):
    if len(layers) == 0:
        return None
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        rf += dilation * (kernel - 1) * jump
        jump *= stride
        result.append((rf, jump))
    return result
