# Misconception: "be forgiving with the input": lower-cases the head name, so "Flatten" and "GAP" are accepted (and
# None raises AttributeError, not ValueError).
def head_params(channels, height, width, n_classes, head):
    head = head.lower()
    if head == "flatten":
        return channels * height * width * n_classes + n_classes
    if head == "gap":
        return channels * n_classes + n_classes
    raise ValueError(f"unknown head {head!r}")
