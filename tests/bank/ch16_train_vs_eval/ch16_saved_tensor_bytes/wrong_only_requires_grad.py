# misconception: autograd only keeps tensors that require grad (it keeps inputs and masks too)
def saved_tensor_bytes(model, x, grad_enabled):
    total = 0

    def pack(t):
        nonlocal total
        if t.requires_grad:
            total += t.numel() * t.element_size()
        return t

    with torch.set_grad_enabled(grad_enabled), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total
