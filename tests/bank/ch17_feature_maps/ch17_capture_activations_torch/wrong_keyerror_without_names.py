# misconception: a bare KeyError(name) is helpful enough (the student cannot see which names would have worked)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    for name in layer_names:
        if name not in modules:
            raise KeyError(name)
    captured = {}
    handles = [modules[n].register_forward_hook(lambda m, i, o, n=n: captured.__setitem__(n, o.detach().cpu()))
               for n in layer_names]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return {n: captured[n] for n in layer_names}
