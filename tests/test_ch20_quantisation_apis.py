"""Chapter 20 depends on a few library conventions that a version bump could change silently.

These checks are fast (no notebook runs) and fail with a message that names the prose to revisit in
solutions/ch20_quantisation when a pinned version moves.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tq = pytest.importorskip("torch.ao.quantization")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the deprecation notices the chapter shows once
        yield


def test_symmetric_observer_divides_by_half_the_integer_range():
    x = torch.tensor([-2.0, 0.5, 1.0])
    observer = tq.MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    observer(x)
    scale, zero_point = observer.calculate_qparams()
    assert float(scale) == pytest.approx(2.0 / 127.5, rel=1e-6), "section 3: PyTorch's symmetric scale is max|x| / 127.5"
    assert int(zero_point) == 0


def test_affine_observer_stretches_the_range_to_zero_and_floors_the_scale_at_eps():
    observer = tq.MinMaxObserver(dtype=torch.quint8)
    observer(torch.tensor([0.5, 2.0]))
    scale, zero_point = observer.calculate_qparams()
    assert float(scale) == pytest.approx(2.0 / 255, rel=1e-6) and int(zero_point) == 0, "range must include 0"
    zeros = tq.MinMaxObserver(dtype=torch.quint8)
    zeros(torch.zeros(4))
    assert float(zeros.calculate_qparams()[0]) == pytest.approx(float(np.finfo(np.float32).eps)), \
        "section 3: an all-zero range gives the float32 machine epsilon as scale"


def test_torch_quantize_rounds_ties_to_even():
    q = torch.quantize_per_tensor(torch.tensor([-0.25, 0.25, 0.75, 1.25]), 0.5, 10, torch.quint8)
    assert q.int_repr().tolist() == [10, 10, 12, 12], "exercise 2 and section 3: ties round to even"


def test_quantize_dynamic_leaves_convolutions_in_float():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2, 2))
    quantised = tq.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    assert type(quantised[0]) is torch.nn.Conv2d, "section 6: dynamic quantisation must not touch Conv2d"
    assert "quantized" in type(quantised[2]).__module__


def test_fusion_refuses_training_mode():
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU()).train()
    with pytest.raises(AssertionError, match="eval"):
        tq.fuse_modules(model, [["0", "1", "2"]])


def test_tensorflow_fake_quant_rounds_ties_up_and_tflite_interpreter_exists():
    tf = pytest.importorskip("tensorflow")
    ties = np.array([0.25, 0.75, 1.25], dtype=np.float32)       # scale 0.5, zero point 10 on [0, 255]
    out = tf.quantization.fake_quant_with_min_max_args(ties, min=-5.0, max=122.5, num_bits=8).numpy()
    assert out.tolist() == [0.5, 1.0, 1.5], "section 3: TensorFlow's fake-quant op rounds ties up"
    assert hasattr(tf.lite, "Interpreter") and hasattr(tf.lite, "TFLiteConverter"), \
        "tf.lite.Interpreter is gone: switch the chapter to ai_edge_litert.interpreter.Interpreter (LiteRT)"


def test_fake_quantize_rounds_before_adding_the_zero_point():
    # exercise 2's contract: round(x / s) + z, so ties do not depend on the zero point (section 3's second table)
    x = torch.tensor([-0.75, -0.25, 0.25, 0.75, 1.25])              # x / 0.5 = -1.5, -0.5, 0.5, 1.5, 2.5
    levels = torch.fake_quantize_per_tensor_affine(x, 0.5, 11, 0, 255) / 0.5 + 11
    assert levels.round().int().tolist() == [9, 11, 11, 13, 13], \
        "section 3 and exercise 2: fake_quantize_per_tensor_affine no longer rounds x / s before adding z"


@pytest.mark.skipif(__import__("platform").machine().lower() not in ("x86_64", "amd64"),
                    reason="the x86 quantize kernel (FBGEMM) is what the prose describes")
def test_x86_quantize_per_tensor_adds_the_zero_point_before_rounding():
    q = torch.quantize_per_tensor(torch.tensor([0.25, 0.75, 1.25]), 0.5, 11, torch.quint8).int_repr()
    assert q.tolist() == [12, 12, 14], "section 3: the x86 quantize kernel now rounds like the formula; revise the prose"


def test_default_qconfigs_differ_between_x86_and_qnnpack():
    x86 = tq.get_default_qconfig("x86")
    qnnpack = tq.get_default_qconfig("qnnpack")
    assert x86.weight().qscheme == torch.per_channel_symmetric and x86.activation().reduce_range, \
        "section 2: x86's default qconfig is per-channel weights and 7-bit (reduce_range) activations"
    assert qnnpack.weight().qscheme == torch.per_tensor_symmetric and not qnnpack.activation().reduce_range, \
        "section 2: qnnpack's default qconfig is per-tensor weights and full 8-bit activations"


def test_compute_sqnr_takes_float32_only_and_gives_nan_for_two_zero_tensors():
    from torch.ao.ns.fx.utils import compute_sqnr
    assert compute_sqnr(torch.ones(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)) is None, \
        "exercise 4's prose: compute_sqnr now accepts float64"
    assert torch.isnan(compute_sqnr(torch.zeros(3), torch.zeros(3))), "exercise 4's prose: 0/0 is no longer nan"


def test_per_channel_observer_accepts_a_negative_axis():
    x = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) - 5
    last = tq.PerChannelMinMaxObserver(ch_axis=-1, dtype=torch.quint8, qscheme=torch.per_channel_affine)
    explicit = tq.PerChannelMinMaxObserver(ch_axis=2, dtype=torch.quint8, qscheme=torch.per_channel_affine)
    last(x)
    explicit(x)
    for a, b in zip(last.calculate_qparams(), explicit.calculate_qparams()):
        assert torch.equal(a, b), "exercise 1: ch_axis=-1 no longer means the last axis"


def test_tflite_converter_rejects_float64_calibration_data():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten()])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([np.zeros((1, 4, 4, 1))] for _ in range(2))     # float64
    with pytest.raises(ValueError, match="FLOAT64"):
        converter.convert()
