# misconception: a tensor saved twice costs twice as much memory, so count each one once (the contract counts saves)
def saved_tensor_bytes(model, x, grad_enabled):
    seen = {}

    def pack(t):
        seen[(t.data_ptr(), tuple(t.shape))] = t.numel() * t.element_size()
        return t

    with torch.set_grad_enabled(grad_enabled), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return int(sum(seen.values()))
