# Wrong: subtracts the zero point in the input's own dtype; with uint8 q (NumPy 2 keeps uint8), 0 - 10 wraps to 246.
def dequantize(q, scale, zero_point):
    q = np.asarray(q)
    return ((q - zero_point) * scale).astype(np.float32)
