# misconception: removing the hooks after the forward pass is enough (an exception skips the removal)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    for name in layer_names:
        if name not in modules:
            raise KeyError(f"unknown layer {name}; valid: {list(modules)}")
    captured = {}
    handles = [modules[name].register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach().cpu()))
               for name in layer_names]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return {name: captured[name] for name in layer_names}
