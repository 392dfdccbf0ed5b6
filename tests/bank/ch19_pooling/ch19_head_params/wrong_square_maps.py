# Misconception: feature maps are square, so the flatten head sees channels * height * height inputs (right on the
# usual 54x54 or 7x7 maps, wrong when height and width differ).
def head_params(channels, height, width, n_classes, head):
    if head == "flatten":
        return channels * height * height * n_classes + n_classes
    if head == "gap":
        return channels * n_classes + n_classes
    raise ValueError(f"unknown head {head!r}")
