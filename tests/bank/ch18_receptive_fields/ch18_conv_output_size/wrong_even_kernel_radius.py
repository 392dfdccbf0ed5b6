# Wrong (edge: even kernels): builds the span from the kernel's "radius", 2 * d * (k // 2) + 1, which is right only for odd kernels.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    radius = dilation * (kernel // 2)
    out = (n + 2 * padding - (2 * radius + 1)) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
