# correct: nothing is saved without gradients, so skip the forward entirely
def saved_tensor_bytes(model, x, grad_enabled):
    if not grad_enabled:
        return 0
    counter = {"bytes": 0}

    def pack(t):
        counter["bytes"] += t.numel() * t.element_size()
        return t

    with torch.set_grad_enabled(True), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return counter["bytes"]
