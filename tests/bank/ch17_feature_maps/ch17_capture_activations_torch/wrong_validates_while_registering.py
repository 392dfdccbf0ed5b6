# misconception: checking each name as its hook is registered is enough (an unknown name after a valid one raises
# KeyError with the first hooks already on the model, and nothing removes them)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    captured, handles = {}, []
    for name in layer_names:
        if name not in modules:
            raise KeyError(f"unknown layer {name!r}; valid names are {[n for n in modules if n]}")
        handles.append(modules[name].register_forward_hook(
            lambda m, i, o, name=name: captured.__setitem__(name, o.detach().cpu())))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return {n: captured[n] for n in layer_names}
