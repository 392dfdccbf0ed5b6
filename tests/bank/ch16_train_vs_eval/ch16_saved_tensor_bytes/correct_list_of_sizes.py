# correct: record sizes in a list, grad mode via torch.enable_grad / torch.no_grad
def saved_tensor_bytes(model, x, grad_enabled):
    sizes = []

    def pack(t):
        sizes.append(t.nelement() * t.element_size())
        return t

    mode = torch.enable_grad() if grad_enabled else torch.no_grad()
    with mode:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(x)
    return int(sum(sizes))
