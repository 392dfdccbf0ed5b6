# alternative: get_submodule for lookup, torch.inference_mode for the pass, handles removed in finally
def capture_activations_torch(model, x, layer_names):
    modules = []
    for name in layer_names:
        try:
            modules.append(model.get_submodule(name))
        except AttributeError:
            valid = ", ".join(n for n, _ in model.named_modules() if n)
            raise KeyError(f"no layer {name!r} in the model; valid names: {valid}") from None
    results = {}
    handles = [m.register_forward_hook(lambda mod, inp, out, key=name: results.update({key: out.detach().cpu()}))
               for name, m in zip(layer_names, modules)]
    try:
        with torch.inference_mode():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return {name: results[name].clone() for name in layer_names}
