# misconception: every element takes 4 bytes (true of float32 only)
def saved_tensor_bytes(model, x, grad_enabled):
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel() * 4
        return t

    with torch.set_grad_enabled(grad_enabled), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total
