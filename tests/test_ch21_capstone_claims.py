"""Chapter 21 (capstone): the facts the incident lab rests on, checked without executing the notebook.

The chapter claims that (1) its fixed inference functions give the same class ids in PyTorch and TensorFlow on
transferred weights, for a batch and image by image, and leave both models untouched; (2) softmax applied to
probabilities caps the top probability at e / (e + K - 1) without changing the argmax; (3) `reshape` to
channels-first scrambles an image while a transpose keeps it; (4) training-mode BatchNorm absorbs a per-channel
affine change of the input (the reason the normalisation bug hides behind the mode bug), while eval mode does
not; (5) the reference `implicated_suspects`, run with the locked triage kit, names exactly the faults planted
in a pipeline, for many seeds and combinations (the hidden checks rely on that); (6) the known-answer fixture of
the visible `predict_*` checks has the answer its comment derives, and each classic mistake changes it. The
exercise functions are taken from the solution notebook's exercise cells, the kit from its locked cell.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import reference_solutions


CHAPTER = "ch21_capstone"
FUNCTIONS = ["ch21_predict_torch", "ch21_predict_tf", "ch21_measure_latency", "ch21_implicated_suspects"]


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
    from autograder import notebooks as nbs
    from autograder.settings import solution_path
    namespace = dict(fw)
    kit = next(c.source for c in nbs.read(solution_path(CHAPTER)).cells if nbs.grade_id(c) == "ch21_triage_kit")
    exec(compile(kit, "<ch21_triage_kit>", "exec"), namespace)
    return reference_solutions(CHAPTER, FUNCTIONS, namespace)


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


IMAGENET = (np.array([0.485, 0.456, 0.406], dtype=np.float32), np.array([0.229, 0.224, 0.225], dtype=np.float32))


def _planted(ns, faults, seed, order=(0, 1, 2), stats=None):
    """A pipeline around a small CNN with `faults` planted (as the hidden checks build them) and its probe."""
    from cnnlab import data, models
    torch = ns["torch"]
    torch.manual_seed(seed)
    net = models.small_cnn_torch(in_channels=3, n_classes=4, image_size=16, widths=(4, 8))
    with torch.no_grad():
        for bn in (net.features.bn1, net.features.bn2):
            bn.running_mean.uniform_(-0.4, 0.4)
            bn.running_var.uniform_(0.3, 3.0)
    rng = np.random.default_rng(seed)
    mean = rng.uniform(0.3, 0.6, 3).astype(np.float32)
    std = rng.uniform(0.12, 0.3, 3).astype(np.float32)
    use_mean, use_std = stats(mean, std) if stats else (mean, std)

    def preprocess(images):
        batch = images[None] if images.ndim == 3 else images
        if "uint8_wraparound" in faults:
            x = (batch - np.round(mean * 255).astype(np.uint8)).astype(np.float32) / 255 / std
        else:
            x = (batch[..., list(order)].astype(np.float32) / 255 - use_mean) / use_std
        if images.ndim == 3 and "single_image_layout" in faults:
            h, w, c = images.shape
            return np.ascontiguousarray(x[0].reshape(1, c, h, w), dtype=np.float32)
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float32)

    def forward(x):
        net.eval()
        if "batchnorm_batch_statistics" in faults:
            net.features.bn1.train()
            net.features.bn2.train()
        if "dropout_active" in faults:
            net.classifier.dropout.train()
        with torch.no_grad():
            scores = net(torch.from_numpy(x))
            if "double_softmax" in faults:
                scores = torch.softmax(scores, dim=1)
        return scores.numpy()

    probe = np.round(data.make_shapes(12, seed=seed, size=16)[0] * 255).astype(np.uint8)
    service = ns["Service"](preprocess, forward, lambda s: np.argmax(s, axis=1), lambda: ns["torch_state"](net),
                            mean, std)
    return service, probe


def test_implicated_suspects_names_exactly_the_planted_faults(solutions):
    find, suspects = solutions["implicated_suspects"], list(solutions["SUSPECTS"])
    rng = np.random.default_rng(2024)
    preprocessing = [((0, 1, 2), None, set()), ((2, 1, 0), None, {"channel_order"}), ((0, 2, 1), None, {"channel_order"}),
                     ((0, 1, 2), lambda m, s: IMAGENET, {"wrong_normalisation"}),
                     ((0, 1, 2), lambda m, s: (m, s * np.float32([1, 1, 1.6])), {"wrong_normalisation"}),
                     ((2, 1, 0), lambda m, s: IMAGENET, {"channel_order", "wrong_normalisation"}),
                     ((0, 1, 2), None, {"uint8_wraparound"})]
    for seed in range(40):
        order, stats, pre = preprocessing[seed % len(preprocessing)]
        more = {f for f in ("batchnorm_batch_statistics", "dropout_active", "single_image_layout", "double_softmax")
                if rng.random() < 0.5}
        service, probe = _planted(solutions, pre | more, seed, order, stats)
        got = find(service, probe)
        assert sorted(got) == sorted(pre | more), (seed, sorted(got), sorted(pre | more))
        assert all(name in suspects for name in got)


def test_visible_predict_fixture_has_the_answer_its_comment_derives_and_mistakes_change_it():
    colours = np.array([[217, 26, 236], [179, 217, 255], [204, 237, 108], [14, 158, 180],
                        [240, 158, 89], [207, 64, 249], [55, 241, 206], [37, 72, 59]], dtype=np.float32)
    mean, std = np.array([0.5, 0.4, 0.3], np.float32), np.array([0.1, 0.2, 0.25], np.float32)
    z = (colours / 255 - mean) / std
    answer = z.argmax(axis=1)
    assert answer.tolist() == [0, 2, 0, 2, 0, 0, 1, 2]
    top2 = np.sort(z, axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0]).min() > 0.3, "no near-ties in the known answer"
    mistakes = {
        "BGR": (colours[:, ::-1] / 255 - mean) / std,
        "ImageNet statistics": (colours / 255 - IMAGENET[0]) / IMAGENET[1],
        "only /255": colours / 255,
        "reshape instead of transpose (all channels mixed)": np.repeat(z.mean(axis=1, keepdims=True), 3, axis=1),
        "training-mode BatchNorm (batch statistics)": (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5),
    }
    for name, scores in mistakes.items():
        assert (scores.argmax(axis=1) != answer).sum() >= 4, name
