# misconception: a saved tensor costs its storage's bytes (a view only uses part of the storage it looks into)
def saved_tensor_bytes(model, x, grad_enabled):
    total = 0

    def pack(t):
        nonlocal total
        total += t.untyped_storage().nbytes()
        return t

    with torch.set_grad_enabled(grad_enabled), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total
