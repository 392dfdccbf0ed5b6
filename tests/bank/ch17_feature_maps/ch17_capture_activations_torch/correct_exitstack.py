# alternative: RemovableHandle is a context manager; an ExitStack removes every hook however the block ends
import contextlib


def capture_activations_torch(model, x, layer_names):
    named = dict(model.named_modules())
    missing = [n for n in layer_names if n not in named]
    if missing:
        raise KeyError(f"{missing} not found; choose from {sorted(n for n in named if n)}")
    out = {}
    with contextlib.ExitStack() as stack:
        for name in layer_names:
            def hook(module, inputs, output, name=name):
                out[name] = output.detach().to("cpu")
            stack.enter_context(named[name].register_forward_hook(hook))
        with torch.no_grad():
            model(x)
    return {name: out[name] for name in layer_names}
