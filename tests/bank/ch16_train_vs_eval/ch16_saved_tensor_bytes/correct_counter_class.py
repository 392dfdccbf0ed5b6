# correct: a small callable class as the pack hook, Tensor.nbytes (numel * element_size) per save
class _SavedBytes:
    def __init__(self):
        self.total = 0

    def __call__(self, tensor):
        self.total += tensor.nbytes
        return tensor


def saved_tensor_bytes(model, x, grad_enabled):
    counter = _SavedBytes()
    with torch.autograd.set_grad_enabled(grad_enabled):
        with torch.autograd.graph.saved_tensors_hooks(counter, lambda tensor: tensor):
            model(x)
    return int(counter.total)
