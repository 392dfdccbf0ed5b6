# Let PyTorch count: build the dense layer on the meta device (no memory) and sum its parameter sizes.
def head_params(channels, height, width, n_classes, head):
    if head not in ("flatten", "gap"):
        raise ValueError("head must be 'flatten' or 'gap'")
    fan_in = channels * height * width if head == "flatten" else channels
    with torch.device("meta"):
        layer = torch.nn.Linear(fan_in, n_classes)
    return sum(p.numel() for p in layer.parameters())
