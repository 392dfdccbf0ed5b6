# misconception: torch.set_grad_enabled is a plain switch (called as a function it stays set for the caller)
def saved_tensor_bytes(model, x, grad_enabled):
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    torch.set_grad_enabled(grad_enabled)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total
