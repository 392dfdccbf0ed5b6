# Wrong (edge: dilation in the ValueError case): checks the fit with the undilated kernel, so a dilated kernel that does not fit returns 0 or less.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    if n + 2 * padding < kernel:
        raise ValueError("the kernel does not fit")
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
