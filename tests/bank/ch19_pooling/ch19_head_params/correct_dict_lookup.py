# Look the fan-in up in a dict; an unknown head becomes a ValueError. (fan_in + 1) * n_classes counts the biases.
def head_params(channels, height, width, n_classes, head):
    fan_in = {"flatten": channels * height * width, "gap": channels}
    if head not in fan_in:
        raise ValueError(f"unknown head {head!r}")
    return (fan_in[head] + 1) * n_classes
