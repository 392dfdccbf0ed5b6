# Wrong: multiplies each kernel by the layer's own stride instead of the cumulative jump of the earlier layers.
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        rf += dilation * (kernel - 1) * stride
        jump *= stride
        result.append((rf, jump))
    return result
