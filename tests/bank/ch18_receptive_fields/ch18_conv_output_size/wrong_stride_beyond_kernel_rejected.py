# Wrong (edge: stride > kernel): rejects a stride larger than the kernel as "skipping pixels"; the layer is valid and the floor formula holds.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid argument")
    if stride > kernel:
        raise ValueError("a stride larger than the kernel would skip input pixels")
    out = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("the kernel does not fit")
    return out
