# Misconception: multiplies with np.prod in int32 (NumPy's default integer on Windows before NumPy 2): right for
# every usual head, but a very large flatten head overflows and comes out wrong (even negative).
def head_params(channels, height, width, n_classes, head):
    if head == "flatten":
        fan_in = np.prod([channels, height, width], dtype=np.int32)
    elif head == "gap":
        fan_in = np.int32(channels)
    else:
        raise ValueError(f"unknown head {head!r}")
    with np.errstate(over="ignore"):
        return int(np.prod([fan_in, n_classes], dtype=np.int32) + np.int32(n_classes))
