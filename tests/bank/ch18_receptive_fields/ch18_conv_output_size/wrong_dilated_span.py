# Wrong: takes the dilated kernel's span as kernel * dilation instead of dilation * (kernel - 1) + 1.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    out = (n + 2 * padding - kernel * dilation) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
