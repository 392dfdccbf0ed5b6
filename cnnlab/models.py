"""One small CNN, defined identically in PyTorch and Keras.

    conv1 -> bn1 -> relu1 -> pool1 -> conv2 -> bn2 -> relu2 -> pool2 -> flatten -> dropout -> fc

Layer names match across frameworks (the last part of a PyTorch module name equals the Keras
layer name), which is what `cnnlab.transfer` relies on. The PyTorch model has two children,
`features` (the backbone) and `classifier` (the head), so chapters can freeze one of them.
BatchNorm is built with PyTorch's conventions in both frameworks (epsilon 1e-5, running
averages keeping 90% of the old value); pass `keras_defaults=True` to see Keras' own.
"""
from __future__ import annotations

from collections import OrderedDict

TORCH_BN_EPS = 1e-5
TORCH_BN_MOMENTUM = 0.1          # weight of the NEW batch statistic
KERAS_BN_EPS = 1e-3
KERAS_BN_MOMENTUM = 0.99         # weight of the OLD running statistic


def small_cnn_torch(in_channels: int = 1, n_classes: int = 10, image_size: int = 16,
                    widths: tuple = (16, 32), dropout: float = 0.3):
    """The course CNN in PyTorch (expects NCHW input)."""
    import torch.nn as nn
    c1, c2 = widths
    side = image_size // 4
    features = nn.Sequential(OrderedDict(
        conv1=nn.Conv2d(in_channels, c1, 3, padding=1),
        bn1=nn.BatchNorm2d(c1, eps=TORCH_BN_EPS, momentum=TORCH_BN_MOMENTUM),
        relu1=nn.ReLU(),
        pool1=nn.MaxPool2d(2),
        conv2=nn.Conv2d(c1, c2, 3, padding=1),
        bn2=nn.BatchNorm2d(c2, eps=TORCH_BN_EPS, momentum=TORCH_BN_MOMENTUM),
        relu2=nn.ReLU(),
        pool2=nn.MaxPool2d(2),
    ))
    classifier = nn.Sequential(OrderedDict(
        flatten=nn.Flatten(),
        dropout=nn.Dropout(dropout),
        fc=nn.Linear(c2 * side * side, n_classes),
    ))
    return nn.Sequential(OrderedDict(features=features, classifier=classifier))


def small_cnn_keras(in_channels: int = 1, n_classes: int = 10, image_size: int = 16,
                    widths: tuple = (16, 32), dropout: float = 0.3, keras_defaults: bool = False):
    """The same CNN in Keras (expects NHWC input). BatchNorm uses PyTorch's epsilon and an
    equivalent momentum unless `keras_defaults=True`."""
    import keras
    from keras import layers
    c1, c2 = widths
    if keras_defaults:
        bn = dict(epsilon=KERAS_BN_EPS, momentum=KERAS_BN_MOMENTUM)
    else:
        bn = dict(epsilon=TORCH_BN_EPS, momentum=1.0 - TORCH_BN_MOMENTUM)
    inputs = keras.Input(shape=(image_size, image_size, in_channels), name="image")
    x = layers.Conv2D(c1, 3, padding="same", name="conv1")(inputs)
    x = layers.BatchNormalization(name="bn1", **bn)(x)
    x = layers.ReLU(name="relu1")(x)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(c2, 3, padding="same", name="conv2")(x)
    x = layers.BatchNormalization(name="bn2", **bn)(x)
    x = layers.ReLU(name="relu2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(n_classes, name="fc")(x)
    return keras.Model(inputs, outputs, name="small_cnn")


def train_torch(model, loader, epochs: int = 3, lr: float = 1e-2, device=None) -> list:
    """A plain training loop (Adam, cross-entropy on logits). Returns the mean loss per epoch."""
    import torch
    device = device or torch.device("cpu")
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    history = []
    for _ in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history.append(total / count)
    model.eval()
    return history
