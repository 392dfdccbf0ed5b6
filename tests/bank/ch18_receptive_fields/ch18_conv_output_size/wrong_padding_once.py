# Wrong: adds the padding once instead of on both sides (n + p instead of n + 2p).
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    out = (n + padding - dilation * (kernel - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
