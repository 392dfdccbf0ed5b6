# Misconception: counts the weights but forgets the dense layer's bias (one per class).
def head_params(channels, height, width, n_classes, head):
    if head == "flatten":
        return channels * height * width * n_classes
    if head == "gap":
        return channels * n_classes
    raise ValueError(head)
