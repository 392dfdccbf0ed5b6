# Wrong (edge: padding decides whether a window fits): refuses any kernel wider than the UNPADDED input, so a padded layer that fits raises.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    span = dilation * (kernel - 1) + 1
    if span > n:
        raise ValueError("the kernel is wider than the input")
    return (n + 2 * padding - span) // stride + 1
