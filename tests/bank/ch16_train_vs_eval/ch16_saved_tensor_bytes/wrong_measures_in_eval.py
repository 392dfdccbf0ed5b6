# misconception: "saved for backward" should be measured in eval mode (changes the model's mode and what BatchNorm saves)
def saved_tensor_bytes(model, x, grad_enabled):
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    model.eval()
    with torch.set_grad_enabled(grad_enabled), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x)
    return total
