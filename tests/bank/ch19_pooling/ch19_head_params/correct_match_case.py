# Structural pattern matching on the head; math.prod over the kept axes; Python ints never overflow.
def head_params(channels, height, width, n_classes, head):
    import math
    match head:
        case "flatten":
            kept = (channels, height, width)
        case "gap":
            kept = (channels,)
        case _:
            raise ValueError(f"head must be 'flatten' or 'gap', not {head!r}")
    return (math.prod(kept) + 1) * n_classes
