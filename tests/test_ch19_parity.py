"""Chapter 19: PyTorch and TensorFlow pooling and padding, side by side, without executing the notebook.

The chapter claims that (1) PyTorch's `padding=1` differs from TensorFlow's `padding='same'` at stride 2 on
even-sized inputs and agrees on odd ones, (2) an explicit asymmetric pad makes them equal, (3) average pooling
differs at the borders unless padded zeros are left out of the divisor, and (4) its NumPy pooling exercises match
both frameworks. The exercise functions are taken from the solution notebook's exercise cells.
"""
from __future__ import annotations

import numpy as np
import pytest

from conftest import reference_solutions


CHAPTER = "ch19_pooling"
FUNCTIONS = ["ch19_max_pool2d_np", "ch19_avg_pool2d_np", "ch19_tf_same_pad_torch"]
ATOL = 1e-5


@pytest.fixture(scope="module")
def fw():
    """The frameworks, imported once (TensorFlow quietly)."""
    cnnlab = pytest.importorskip("cnnlab")
    cnnlab.env.quiet_tensorflow()
    import keras
    import tensorflow as tf
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(19)
    return {"np": np, "torch": torch, "nn": nn, "F": F, "keras": keras, "tf": tf}


@pytest.fixture(scope="module")
def solutions(fw):
    return reference_solutions(CHAPTER, FUNCTIONS, dict(fw))


def _nchw(fw, x_nhwc):
    return fw["torch"].from_numpy(np.ascontiguousarray(x_nhwc.transpose(0, 3, 1, 2)))


def _nhwc(t):
    return t.detach().cpu().numpy().transpose(0, 2, 3, 1)


def _conv_pair(fw, in_ch, out_ch, kernel, stride, seed):
    """A PyTorch Conv2d without padding and a Keras 'same' Conv2D holding the same weights."""
    torch, keras = fw["torch"], fw["keras"]
    torch.manual_seed(seed)
    conv = fw["nn"].Conv2d(in_ch, out_ch, kernel, stride=stride)
    layer = keras.layers.Conv2D(out_ch, kernel, strides=stride, padding="same")
    layer.build((None, None, None, in_ch))
    layer.set_weights([conv.weight.detach().numpy().transpose(2, 3, 1, 0), conv.bias.detach().numpy()])
    return conv, layer


def _x(shape_nhwc, seed):
    return np.random.default_rng(seed).normal(size=shape_nhwc).astype(np.float32)


@pytest.mark.parametrize("size, symmetric_is_right", [(8, False), (16, False), (9, True), (15, True)])
def test_padding_one_matches_same_only_on_odd_inputs(fw, size, symmetric_is_right):
    F = fw["F"]
    conv, layer = _conv_pair(fw, 3, 4, 3, 2, seed=size)
    x = _x((2, size, size, 3), seed=size)
    with fw["torch"].no_grad():
        torch_out = _nhwc(F.conv2d(_nchw(fw, x), conv.weight, conv.bias, stride=2, padding=1))
    keras_out = np.asarray(layer(x))
    assert torch_out.shape == keras_out.shape, "both frameworks give ceil(n / 2) outputs"
    diff = float(np.abs(torch_out - keras_out).max())
    if symmetric_is_right:
        assert diff <= ATOL, f"odd input: 'same' pads (1, 1), so padding=1 should agree, diff {diff:.3g}"
    else:
        assert diff > 1e-2, f"even input: 'same' pads (0, 1) but padding=1 pads (1, 1); expected a mismatch, diff {diff:.3g}"


@pytest.mark.parametrize("shape, kernel, stride", [
    ((2, 8, 8, 3), 3, 2), ((1, 9, 9, 3), 3, 2), ((1, 7, 10, 2), 3, 2), ((1, 10, 7, 2), 5, 2),
    ((1, 8, 11, 2), 4, 1), ((1, 9, 12, 2), 3, 3), ((1, 6, 6, 3), 2, 2), ((1, 11, 5, 2), 7, 4), ((1, 8, 6, 1), 1, 2),
])
def test_explicit_tf_same_padding_makes_the_frameworks_agree(fw, solutions, shape, kernel, stride):
    conv, layer = _conv_pair(fw, shape[-1], 3, kernel, stride, seed=kernel * 10 + stride)
    x = _x(shape, seed=sum(shape))
    with fw["torch"].no_grad():
        torch_out = _nhwc(conv(solutions["tf_same_pad_torch"](_nchw(fw, x), kernel, stride)))
    keras_out = np.asarray(layer(x))
    assert torch_out.shape == keras_out.shape
    assert float(np.abs(torch_out - keras_out).max()) <= ATOL


def test_hand_padding_for_the_chapter_case(fw):
    """The notebook's fix for a 3x3 stride-2 conv on 8x8: F.pad(x, (0, 1, 0, 1)), then padding=0."""
    F = fw["F"]
    conv, layer = _conv_pair(fw, 3, 4, 3, 2, seed=19)
    x = _x((1, 8, 8, 3), seed=19)
    with fw["torch"].no_grad():
        torch_out = _nhwc(conv(F.pad(_nchw(fw, x), (0, 1, 0, 1))))
    assert float(np.abs(torch_out - np.asarray(layer(x))).max()) <= ATOL


def test_max_pool_same_needs_minus_infinity_padding_at_the_bottom_right(fw):
    F, keras = fw["F"], fw["keras"]
    x = _x((2, 8, 8, 3), seed=5)
    want = np.asarray(keras.layers.MaxPooling2D(3, strides=2, padding="same")(x))
    xt = _nchw(fw, x)
    symmetric = _nhwc(F.max_pool2d(xt, 3, 2, padding=1))
    asymmetric = _nhwc(F.max_pool2d(F.pad(xt, (0, 1, 0, 1), value=float("-inf")), 3, 2))
    assert float(np.abs(symmetric - want).max()) > 1e-2
    assert float(np.abs(asymmetric - want).max()) <= ATOL


def test_avg_pool_border_divisor_count_include_pad(fw):
    """Stride 1, symmetric padding: only the divisor differs; count_include_pad=False is Keras' rule."""
    F, keras = fw["F"], fw["keras"]
    x = _x((2, 8, 8, 3), seed=6)
    want = np.asarray(keras.layers.AveragePooling2D(3, strides=1, padding="same")(x))
    xt = _nchw(fw, x)
    counted = _nhwc(F.avg_pool2d(xt, 3, 1, padding=1))                            # PyTorch default: True
    not_counted = _nhwc(F.avg_pool2d(xt, 3, 1, padding=1, count_include_pad=False))
    assert float(np.abs(counted - want).max()) > 1e-2, "padded zeros in the divisor change the border values"
    assert float(np.abs(not_counted - want).max()) <= ATOL
    interior = (slice(None), slice(1, -1), slice(1, -1), slice(None))
    assert float(np.abs(counted[interior] - want[interior]).max()) <= ATOL, "only the border windows differ"


def test_avg_pool_same_at_stride_two_needs_position_and_divisor(fw):
    F, keras, torch = fw["F"], fw["keras"], fw["torch"]
    x = _x((2, 8, 8, 3), seed=7)
    want = np.asarray(keras.layers.AveragePooling2D(3, strides=2, padding="same")(x))
    xt = _nchw(fw, x)
    divisor_only = _nhwc(F.avg_pool2d(xt, 3, 2, padding=1, count_include_pad=False))
    ones = torch.ones_like(xt)
    both = _nhwc(F.avg_pool2d(F.pad(xt, (0, 1, 0, 1)), 3, 2) / F.avg_pool2d(F.pad(ones, (0, 1, 0, 1)), 3, 2))
    assert float(np.abs(divisor_only - want).max()) > 1e-2, "count_include_pad alone leaves the windows misplaced"
    assert float(np.abs(both - want).max()) <= ATOL


@pytest.mark.parametrize("name, torch_op, tf_op", [
    ("max_pool2d_np", "max_pool2d", "max_pool2d"), ("avg_pool2d_np", "avg_pool2d", "avg_pool2d")])
@pytest.mark.parametrize("shape, kernel, stride", [((2, 3, 9, 7), 3, 2), ((1, 4, 12, 10), 2, 2), ((2, 2, 11, 8), 2, 3)])
def test_numpy_pooling_matches_both_frameworks(fw, solutions, name, torch_op, tf_op, shape, kernel, stride):
    x = np.random.default_rng(sum(shape) + kernel).normal(size=shape).astype(np.float32)
    got = np.asarray(solutions[name](x, kernel, stride))
    want_torch = getattr(fw["F"], torch_op)(fw["torch"].from_numpy(x), kernel, stride).numpy()
    want_tf = getattr(fw["tf"].nn, tf_op)(x.transpose(0, 2, 3, 1), kernel, stride, "VALID").numpy().transpose(0, 3, 1, 2)
    assert got.shape == want_torch.shape == want_tf.shape
    assert float(np.abs(got - want_torch).max()) <= 1e-6
    assert float(np.abs(got - want_tf).max()) <= 1e-6


def test_global_average_pooling_agrees(fw):
    x = _x((2, 7, 5, 4), seed=8)
    torch_out = fw["nn"].AdaptiveAvgPool2d(1)(_nchw(fw, x)).flatten(1).numpy()
    keras_out = np.asarray(fw["keras"].layers.GlobalAveragePooling2D()(x))
    assert float(np.abs(torch_out - keras_out).max()) <= ATOL
    assert float(np.abs(torch_out - x.mean(axis=(1, 2))).max()) <= ATOL


def test_bilinear_upsampling_agrees_with_align_corners_false(fw):
    """Section 5 upsamples in both frameworks: Keras' bilinear UpSampling2D is PyTorch's align_corners=False."""
    x = _x((1, 6, 5, 3), seed=9)
    torch_out = _nhwc(fw["F"].interpolate(_nchw(fw, x), scale_factor=4, mode="bilinear", align_corners=False))
    keras_out = np.asarray(fw["keras"].layers.UpSampling2D(4, interpolation="bilinear")(x))
    assert float(np.abs(torch_out - keras_out).max()) <= ATOL


def test_separable_and_tutorial_parameter_counts(fw):
    """The corrected figures the chapter prints (spec section 8)."""
    keras, nn = fw["keras"], fw["nn"]
    sep = keras.layers.SeparableConv2D(128, 3)
    sep.build((None, 28, 28, 64))
    sep_no_bias = keras.layers.SeparableConv2D(128, 3, use_bias=False)
    sep_no_bias.build((None, 28, 28, 64))
    torch_twin = nn.Sequential(nn.Conv2d(64, 64, 3, groups=64, bias=False), nn.Conv2d(64, 128, 1))
    assert sep.count_params() == sum(p.numel() for p in torch_twin.parameters()) == 8_896
    assert sep_no_bias.count_params() == 8_768
    # Conv32-Pool-Conv64-Pool-Flatten-Dense128 on 224x224x3, 'valid': 54x54x64 features after the second pool
    side = ((224 - 2) // 2 - 2) // 2
    assert side == 54
    assert (3 * 9 * 32 + 32) + (32 * 9 * 64 + 64) + (64 * side * side * 128 + 128) == 23_907_392
