# Wrong (edge: invalid dilation): validates n, kernel, stride and padding but not dilation, so dilation=0 returns a size.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if n < 1 or kernel < 1 or stride < 1 or padding < 0:
        raise ValueError("invalid argument")
    out = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
