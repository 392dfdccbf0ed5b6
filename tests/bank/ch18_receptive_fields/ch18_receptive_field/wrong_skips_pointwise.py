# Wrong (edge: stride > kernel, 1x1 layers): skips 1x1 layers as if they changed nothing, losing their stride and their entry.
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        if kernel == 1:
            continue
        rf += dilation * (kernel - 1) * jump
        jump *= stride
        result.append((rf, jump))
    return result
