# Wrong: updates the jump before widening the field, so a layer's own stride scales its own kernel.
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        jump *= stride
        rf += dilation * (kernel - 1) * jump
        result.append((rf, jump))
    return result
