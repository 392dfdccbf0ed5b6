# Correct (new style: simulation): slide a window of span d*(k-1)+1 along the padded axis and count where it fits; operator.index validates integers.
import operator


def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    try:
        n, kernel, stride, padding, dilation = map(operator.index, (n, kernel, stride, padding, dilation))
    except TypeError as error:
        raise ValueError(f"arguments must be integers: {error}") from None
    if n < 1 or kernel < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("n, kernel, stride and dilation must be >= 1 and padding >= 0")
    end_of_input = n + 2 * padding
    span = dilation * (kernel - 1) + 1
    count, start = 0, 0
    while start + span <= end_of_input:
        count += 1
        start += stride
    if count == 0:
        raise ValueError("not even one window fits")
    return count
