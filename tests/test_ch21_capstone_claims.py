"""Chapter 21 (capstone): the facts the incident lab rests on, checked without executing the notebook.

The chapter claims that (1) its fixed inference functions give the same class ids in PyTorch and TensorFlow on
transferred weights, for a batch and image by image, and leave both models untouched; (2) softmax applied to
probabilities caps the top probability at e / (e + K - 1) without changing the argmax; (3) `reshape` to
channels-first scrambles an image while a transpose keeps it; (4) training-mode BatchNorm absorbs a per-channel
affine change of the input (the reason the normalisation bug hides behind the mode bug), while eval mode does
not. The exercise functions are taken from the solution notebook's exercise cells.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import reference_solutions


CHAPTER = "ch21_capstone"
FUNCTIONS = ["ch21_predict_torch", "ch21_predict_tf", "ch21_measure_latency"]


@pytest.fixture(scope="module")
def fw():
    cnnlab = pytest.importorskip("cnnlab")
    cnnlab.env.quiet_tensorflow()
    import keras
    import tensorflow as tf
    import time
    import torch

    return {"np": np, "torch": torch, "keras": keras, "tf": tf, "time": time}


@pytest.fixture(scope="module")
def solutions(fw):
    return reference_solutions(CHAPTER, FUNCTIONS, dict(fw))


def _pair(fw, seed=21):
    """A PyTorch model with non-trivial BatchNorm statistics and its Keras twin, sharing preprocessing stats."""
    from cnnlab import models, transfer
    torch = fw["torch"]
    torch.manual_seed(seed)
    tm = models.small_cnn_torch(in_channels=3, n_classes=4, image_size=16, widths=(4, 8))
    with torch.no_grad():
        for bn in (tm.features.bn1, tm.features.bn2):
            bn.running_mean.uniform_(-0.4, 0.4)
            bn.running_var.uniform_(0.3, 3.0)
    km = models.small_cnn_keras(in_channels=3, n_classes=4, image_size=16, widths=(4, 8))
    transfer.torch_to_keras(tm, km)
    for m in (tm, km):
        m.pixel_mean = np.array([0.62, 0.35, 0.48], dtype=np.float32)
        m.pixel_std = np.array([0.12, 0.30, 0.21], dtype=np.float32)
    return tm, km


def _images(n=32, seed=21):
    from cnnlab import data
    return np.round(data.make_shapes(n, seed=seed, size=16)[0] * 255).astype(np.uint8)


def test_fixed_functions_agree_across_frameworks_and_batch_sizes(fw, solutions):
    tm, km = _pair(fw)
    images = _images()
    tm.train()
    state = {k: v.clone() for k, v in tm.state_dict().items()}
    weights = [w.numpy().copy() for w in km.weights]
    ids_t = np.asarray(solutions["predict_torch"](tm, images))
    ids_k = np.asarray(solutions["predict_tf"](km, images))
    assert len(set(ids_t.tolist())) >= 2, "fixture should predict several classes"
    assert np.array_equal(ids_t, ids_k), "PyTorch and TensorFlow fixed predictions differ on transferred weights"
    singles = np.concatenate([solutions["predict_torch"](tm, images[i:i + 1]) for i in range(len(images))])
    assert np.array_equal(singles, ids_t), "PyTorch: image-by-image answers differ from the batch answers"
    assert tm.training and all(m.training for m in tm.modules()), "PyTorch model mode changed"
    assert all(fw["torch"].equal(v, tm.state_dict()[k]) for k, v in state.items()), "PyTorch state changed"
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(weights, km.weights)), "Keras weights changed"


def test_measure_latency_counts_calls_and_reports_milliseconds(solutions):
    calls = []
    result = solutions["measure_latency"](lambda x: calls.append(x), 7, warmup=2, repeats=9)
    assert len(calls) == 11 and set(calls) == {7}
    assert set(result) >= {"p50_ms", "p95_ms"} and 0 <= result["p50_ms"] <= result["p95_ms"] < 50


def test_double_softmax_caps_confidence_and_keeps_the_argmax():
    rng = np.random.default_rng(0)

    def softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)

    for k in (2, 4, 10):
        logits = rng.normal(0, 8, size=(2000, k))
        once, twice = softmax(logits), softmax(softmax(logits))
        ceiling = np.e / (np.e + k - 1)
        assert twice.max() <= ceiling + 1e-12 and once.max() > 0.99
        assert np.array_equal(once.argmax(1), twice.argmax(1))
        assert twice.min() >= 1 / (k - 1 + np.e) - 1e-12


def test_reshape_scrambles_a_transpose_keeps():
    img = np.arange(4 * 5 * 3).reshape(4, 5, 3)
    reshaped, transposed = img.reshape(3, 4, 5), img.transpose(2, 0, 1)
    assert np.array_equal(transposed[1], img[..., 1])
    assert not np.array_equal(reshaped[1], img[..., 1])


def test_training_mode_batchnorm_absorbs_an_input_affine_change_eval_mode_does_not(fw):
    torch = fw["torch"]
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 6, 3, padding=0)
    bn = torch.nn.BatchNorm2d(6)
    with torch.no_grad():
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
    x = torch.rand(16, 3, 12, 12)
    shifted = x * 1.7 - 0.4            # the same per-channel scale and shift on every channel
    net = torch.nn.Sequential(conv, bn)
    with torch.no_grad():
        net.train()
        train_gap = (net(x) - net(shifted)).abs().max().item()
        net.eval()
        eval_gap = (net(x) - net(shifted)).abs().max().item()
    assert train_gap < 1e-3 < eval_gap
