# misconception: a capture should show eval-mode activations even when the caller's model is in training mode
# (every module's flag is restored correctly, but the activations are not what the model computes as it is)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    unknown = [n for n in layer_names if n not in modules]
    if unknown:
        raise KeyError(f"unknown layer name(s) {unknown}; valid names are {[n for n in modules if n]}")
    captured = {}
    flags = [(m, m.training) for m in model.modules()]
    handles = [modules[n].register_forward_hook(lambda m, i, o, n=n: captured.__setitem__(n, o.detach().cpu()))
               for n in layer_names]
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
        for m, flag in flags:
            m.training = flag
    return {n: captured[n] for n in layer_names}
