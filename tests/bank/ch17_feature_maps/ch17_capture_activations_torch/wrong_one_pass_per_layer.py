# misconception: one hook and one forward pass per requested layer is the same as one pass for all of them (in
# training mode every pass draws new Dropout masks and moves BatchNorm's running statistics again)
def capture_activations_torch(model, x, layer_names):
    modules = dict(model.named_modules())
    unknown = [n for n in layer_names if n not in modules]
    if unknown:
        raise KeyError(f"unknown layer name(s) {unknown}; valid names are {[n for n in modules if n]}")
    result = {}
    for name in layer_names:
        box = []
        handle = modules[name].register_forward_hook(lambda m, i, o: box.append(o.detach().cpu()))
        try:
            with torch.no_grad():
                model(x)
        finally:
            handle.remove()
        result[name] = box[0]
    return result
