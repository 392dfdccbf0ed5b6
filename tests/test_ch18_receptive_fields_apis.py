"""Chapter 18 states a few framework conventions and figures in its prose; these fast checks (no notebook runs)
fail with a message naming the section of solutions/ch18_receptive_fields to revisit when a version bump moves them.
"""
from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest

from autograder.settings import solution_path

CHAPTER = "ch18_receptive_fields"


def _reference(function: str):
    """The reference solution of one exercise, executed from the solution notebook."""
    nb = nbformat.read(solution_path(CHAPTER), as_version=4)
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == f"ch18_{function}")
    namespace = {"np": np}
    exec(cell.source, namespace)
    return namespace[function]


def _vgg16_layers():
    layers = []
    for n_convs in (2, 2, 3, 3, 3):
        layers += [(3, 1, 1)] * n_convs + [(2, 2, 1)]
    return layers


def test_vgg16_receptive_fields_and_the_by_type_list():
    receptive_field = _reference("receptive_field")
    vgg = receptive_field(_vgg16_layers())
    assert vgg[16][0] == 196 and vgg[17] == (212, 32), "section 2: VGG16 is 196 at conv5_3 and 212 at pool5"
    assert receptive_field([(3, 1, 1)] * 13 + [(2, 2, 1)] * 4)[-1][0] == 42, \
        "section 2: the by-type list (13 convs, then 4 pools) gives 42"
    assert receptive_field([(3, 1, 1)] * 13 + [(2, 2, 1)] * 5)[-1][0] == 58, \
        "section 2: adding the missing fifth pool to the by-type list gives only 58"


def test_three_3x3_layers_save_about_45_percent():
    saving = 1 - 27 / 49
    assert math.isclose(saving, 0.449, abs_tol=5e-4), "section 3: 27C^2 vs 49C^2 is a saving of about 45%"


def test_conv_output_size_reference_matches_pytorch():
    torch = pytest.importorskip("torch")
    conv_output_size = _reference("conv_output_size")
    for n, k, s, p, d in [(8, 3, 2, 0, 1), (224, 7, 2, 3, 1), (9, 3, 2, 1, 2), (5, 5, 1, 0, 1), (33, 5, 3, 2, 2)]:
        expected = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s,
                                              padding=p, dilation=d).shape[-1]
        assert conv_output_size(n, k, s, p, d) == expected, f"section 1: floor formula vs PyTorch at {(n, k, s, p, d)}"


def test_pytorch_padding_conventions():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")      # section 1: 'same' only for stride 1
    x = torch.zeros(1, 1, 5, 5)
    # section 1: ceil_mode drops a last window that would start in the right padding, so it is not plain ceil
    assert torch.nn.functional.max_pool2d(x, 2, 2, 1, ceil_mode=True).shape[-1] == 3, \
        "section 1: MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5 pixels gives 3, not ceil(5/2)+1 = 4"


def test_tensorflow_padding_conventions():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError):
        keras.layers.Conv2D(1, 3, strides=2, dilation_rate=2)    # section 1: Keras refuses stride with dilation
    y = tf.nn.conv2d(tf.zeros((1, 9, 9, 1)), tf.zeros((3, 3, 1, 1)), strides=2,
                     padding=[[0, 0], [1, 1], [1, 1], [0, 0]], dilations=2)
    assert y.shape[1] == 4, "section 1: tf.nn.conv2d computes stride and dilation together"
    # section 4: 'same' at stride 2 on an even input puts its single padding pixel at the bottom/right
    x = tf.random.stateless_normal((1, 8, 8, 1), seed=(1, 2))
    w = tf.random.stateless_normal((3, 3, 1, 1), seed=(3, 4))
    same = tf.nn.conv2d(x, w, strides=2, padding="SAME")
    bottom_right = tf.nn.conv2d(x, w, strides=2, padding=[[0, 0], [0, 1], [0, 1], [0, 0]])
    assert np.allclose(same.numpy(), bottom_right.numpy()), "section 4: Keras 'same' at stride 2 pads bottom/right"
