# Misconception: global average pooling averages over the channels, leaving height*width inputs.
def head_params(channels, height, width, n_classes, head):
    if head == "flatten":
        return channels * height * width * n_classes + n_classes
    if head == "gap":
        return height * width * n_classes + n_classes
    raise ValueError(head)
