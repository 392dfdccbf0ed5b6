"""Copy weights from a PyTorch model into the Keras model of the same architecture.

Layers are paired by name: the last component of the PyTorch module name equals the Keras
layer name (``features.conv1`` -> ``conv1``). Each conversion is where a pitfall lives:

* Conv2d weight (O, I, kH, kW) -> Conv2D kernel (kH, kW, I, O).
* Linear weight (out, in) -> Dense kernel (in, out); after a Flatten, PyTorch flattened
  (C, H, W) but Keras flattens (H, W, C), so the rows must be permuted too.
* BatchNorm: gamma, beta, running mean and variance copy over, but the epsilons must agree
  (PyTorch 1e-5, Keras 1e-3 by default) or outputs drift.
"""
from __future__ import annotations

import numpy as np


class TransferError(ValueError):
    """The two models cannot be paired layer by layer."""


def _torch_layers(torch_model) -> dict:
    import torch.nn as nn
    kinds = (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.BatchNorm1d)
    found = {}
    for name, module in torch_model.named_modules():
        if isinstance(module, kinds):
            short = name.rsplit(".", 1)[-1]
            if short in found:
                raise TransferError(f"two PyTorch layers are called {short!r}; names must be unique")
            found[short] = module
    return found


def torch_to_keras(torch_model, keras_model) -> list[str]:
    """Copy every Conv2d, Linear and BatchNorm of `torch_model` into `keras_model`.

    Returns the names of the layers copied. Raises `TransferError` on any mismatch.
    """
    import torch.nn as nn
    from keras import layers as kl

    torch_layers = _torch_layers(torch_model)
    copied = []
    flatten_input = None      # (H, W, C) of the last Flatten seen, for the Dense that follows it
    for layer in keras_model.layers:
        if isinstance(layer, kl.Flatten):
            shape = tuple(layer.input.shape[1:])
            flatten_input = shape if len(shape) == 3 else None
            continue
        if not layer.weights:
            continue
        module = torch_layers.get(layer.name)
        if module is None:
            raise TransferError(f"Keras layer {layer.name!r} has no PyTorch twin; "
                                f"PyTorch layers: {sorted(torch_layers)}")
        sd = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
        if isinstance(module, nn.Conv2d):
            weights = [sd["weight"].transpose(2, 3, 1, 0)]
            if module.bias is not None:
                weights.append(sd["bias"])
        elif isinstance(module, nn.Linear):
            kernel = sd["weight"]                                   # (out, in)
            if flatten_input is not None:
                h, w, c = flatten_input
                kernel = kernel.reshape(-1, c, h, w).transpose(0, 2, 3, 1).reshape(kernel.shape[0], -1)
                flatten_input = None
            weights = [kernel.T]
            if module.bias is not None:
                weights.append(sd["bias"])
        else:  # BatchNorm
            if not np.isclose(module.eps, layer.epsilon, rtol=0, atol=1e-12):
                raise TransferError(
                    f"BatchNorm {layer.name!r}: PyTorch eps={module.eps:g} but Keras epsilon={layer.epsilon:g}; "
                    "build the Keras layer with the same epsilon (PyTorch's default is 1e-5, Keras' 1e-3)")
            weights = [sd["weight"], sd["bias"], sd["running_mean"], sd["running_var"]]
        expected = [tuple(w.shape) for w in layer.get_weights()]
        if [tuple(w.shape) for w in weights] != expected:
            raise TransferError(f"layer {layer.name!r}: shapes {[w.shape for w in weights]} do not fit {expected}")
        layer.set_weights([w.astype(np.float32) for w in weights])
        copied.append(layer.name)
    return copied


def outputs_max_abs_diff(torch_model, keras_model, x_nhwc: np.ndarray) -> float:
    """Max |PyTorch - Keras| over the outputs for the same NHWC batch, both in inference mode.
    The PyTorch model's mode is restored afterwards."""
    import torch
    was_training = torch_model.training
    torch_model.eval()
    try:
        with torch.no_grad():
            param = next(torch_model.parameters())
            xt = torch.from_numpy(np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2))).to(param.device)
            out_torch = torch_model(xt).cpu().numpy()
    finally:
        torch_model.train(was_training)
    out_keras = np.asarray(keras_model(x_nhwc, training=False))
    return float(np.max(np.abs(out_torch - out_keras)))
