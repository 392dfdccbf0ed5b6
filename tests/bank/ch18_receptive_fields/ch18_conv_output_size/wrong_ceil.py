# Wrong: rounds up (ceil) instead of down, as if a window that sticks out were still placed.
import math


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    out = math.ceil((n + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
