# Wrong (edge: argument types): insists on Python int, so sizes read from NumPy arrays (np.int64) raise ValueError.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    for value in (n, kernel, stride, padding, dilation):
        if type(value) is not int:
            raise ValueError(f"expected an int, got {type(value).__name__}")
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    out = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
