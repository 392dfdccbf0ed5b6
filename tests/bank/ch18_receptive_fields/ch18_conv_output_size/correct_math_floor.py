# Correct: explicit checks, then math.floor on a true division.
import math


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if n < 1 or kernel < 1 or stride < 1 or dilation < 1:
        raise ValueError("n, kernel, stride and dilation must be positive")
    if padding < 0:
        raise ValueError("padding cannot be negative")
    out = math.floor((n + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
    if out < 1:
        raise ValueError("the kernel does not fit the (padded) input")
    return out
