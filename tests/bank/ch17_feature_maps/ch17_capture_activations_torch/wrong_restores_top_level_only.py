# misconception: model.train(was_training) restores the mode (it overwrites every submodule's own flag)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    for name in layer_names:
        if name not in modules:
            raise KeyError(f"unknown layer {name}; valid: {list(modules)}")
    captured = {}
    handles = [modules[name].register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach().cpu()))
               for name in layer_names]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return {name: captured[name] for name in layer_names}
