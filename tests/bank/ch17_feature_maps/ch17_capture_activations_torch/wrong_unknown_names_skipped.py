# misconception: unknown layer names can be skipped silently (a typo then returns nothing, with no hint why)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    captured = {}
    handles = [modules[name].register_forward_hook(lambda m, i, o, name=name: captured.__setitem__(name, o.detach().cpu()))
               for name in layer_names if name in modules]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return captured
