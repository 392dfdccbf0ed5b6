# Wrong: takes a dilated kernel's span as kernel * dilation (one pixel too many per layer when dilation > 1).
def receptive_field(layers):
    rf, jump, result = 1, 1, []
    for kernel, stride, dilation in layers:
        rf += (kernel * dilation - 1) * jump
        jump *= stride
        result.append((rf, jump))
    return result
