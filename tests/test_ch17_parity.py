"""Chapter 17: the reference solutions agree across frameworks on transferred weights.

The chapter's exercise functions are taken from the solution notebook's exercise cells (no notebook is executed)
and run on the course CNN with random weights and non-trivial BatchNorm statistics, copied from PyTorch into Keras.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import reference_solutions


CHAPTER = "ch17_feature_maps"
FUNCTIONS = ["ch17_capture_activations_torch", "ch17_capture_activations_tf", "ch17_grad_cam_torch", "ch17_grad_cam_tf"]


@pytest.fixture(scope="module")
def solutions():
    cnnlab = pytest.importorskip("cnnlab")
    cnnlab.env.quiet_tensorflow()
    import keras
    import tensorflow as tf
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    namespace = {"np": np, "torch": torch, "nn": nn, "F": F, "keras": keras, "tf": tf}
    return reference_solutions(CHAPTER, FUNCTIONS, namespace)


@pytest.fixture(scope="module")
def twins():
    import torch
    from cnnlab import models, transfer

    torch.manual_seed(17)
    net = models.small_cnn_torch(in_channels=3, n_classes=4, image_size=16, widths=(6, 8))
    with torch.no_grad():                                 # non-trivial BatchNorm running statistics
        net.train()
        for _ in range(3):
            net(torch.randn(32, 3, 16, 16) * 1.5 + 0.3)
    net.eval()
    twin = models.small_cnn_keras(in_channels=3, n_classes=4, image_size=16, widths=(6, 8))
    transfer.torch_to_keras(net, twin)
    x = np.random.default_rng(17).normal(size=(3, 16, 16, 3)).astype("float32")
    return net, twin, x


def test_captured_feature_maps_agree(solutions, twins):
    import torch

    net, twin, x = twins
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    got_t = solutions["capture_activations_torch"](net, xt, ["features.relu1", "features.relu2"])
    got_k = solutions["capture_activations_tf"](twin, x, ["relu1", "relu2"])
    for name in ("relu1", "relu2"):
        torch_nhwc = got_t["features." + name].numpy().transpose(0, 2, 3, 1)
        assert np.abs(torch_nhwc - got_k[name]).max() <= 1e-5, name


@pytest.mark.parametrize("class_idx", [None, 0, 3])
def test_grad_cam_agrees_across_frameworks(solutions, twins, class_idx):
    import torch

    net, twin, x = twins
    for image in x:
        cam_t = solutions["grad_cam_torch"](net, torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))),
                                            "features.relu2", class_idx=class_idx)
        cam_k = solutions["grad_cam_tf"](twin, image, "relu2", class_idx=class_idx)
        assert cam_t.shape == cam_k.shape == (16, 16)
        assert np.abs(cam_t - cam_k).max() <= 1e-4
