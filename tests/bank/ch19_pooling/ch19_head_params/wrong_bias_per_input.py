# Misconception: one bias per input feature instead of one per output class.
def head_params(channels, height, width, n_classes, head):
    fan_in = channels * height * width if head == "flatten" else channels
    if head not in ("flatten", "gap"):
        raise ValueError(head)
    return fan_in * n_classes + fan_in
