# Wrong (edge: dilation): treats dilation like a stride, multiplying the jump of every later layer by it.
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        rf += dilation * (kernel - 1) * jump
        jump *= stride * dilation
        result.append((rf, jump))
    return result
