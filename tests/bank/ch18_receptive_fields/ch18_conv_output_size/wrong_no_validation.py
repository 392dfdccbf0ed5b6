# Wrong: the formula is right but nothing is validated: returns 0 or negative sizes instead of raising ValueError.
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
