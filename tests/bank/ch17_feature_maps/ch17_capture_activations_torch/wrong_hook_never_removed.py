# misconception: a hook disappears when the function returns (it stays registered until handle.remove())
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    for name in layer_names:
        if name not in modules:
            raise KeyError(f"unknown layer {name}; valid: {list(modules)}")
    captured = {}
    for name in layer_names:
        modules[name].register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach().cpu()))
    with torch.no_grad():
        model(x)
    return {name: captured[name] for name in layer_names}
