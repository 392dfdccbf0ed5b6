# Correct: count the window start positions directly with range().
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    for value in (n, kernel, stride, dilation):
        if int(value) != value or value < 1:
            raise ValueError(f"invalid size argument {value!r}")
    if int(padding) != padding or padding < 0:
        raise ValueError(f"invalid padding {padding!r}")
    last_start = n + 2 * padding - ((kernel - 1) * dilation + 1)
    starts = range(0, last_start + 1, stride)
    if len(starts) == 0:
        raise ValueError("no window fits")
    return len(starts)
