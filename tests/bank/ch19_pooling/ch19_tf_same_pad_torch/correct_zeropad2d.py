# nn.ZeroPad2d with (left, right, top, bottom); each axis's total from TensorFlow's remainder rule, computed in a
# small table keyed by axis.
def tf_same_pad_torch(x, kernel, stride):
    totals = {}
    for axis, n in (("height", x.shape[2]), ("width", x.shape[3])):
        remainder = n % stride
        totals[axis] = max(kernel - (stride if remainder == 0 else remainder), 0)
    h, w = totals["height"], totals["width"]
    return torch.nn.ZeroPad2d((w // 2, w - w // 2, h // 2, h - h // 2))(x)
