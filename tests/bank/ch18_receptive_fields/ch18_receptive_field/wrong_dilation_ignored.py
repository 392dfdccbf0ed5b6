# Wrong: ignores dilation, so dilated layers widen the field like ordinary ones.
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        rf += (kernel - 1) * jump
        jump *= stride
        result.append((rf, jump))
    return result
