# Misconception: anything that is not "flatten" is treated as "gap" instead of being rejected.
def head_params(channels, height, width, n_classes, head):
    if head == "flatten":
        return channels * height * width * n_classes + n_classes
    return channels * n_classes + n_classes
