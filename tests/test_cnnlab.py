"""cnnlab: data checksums and shapes, seeding, and PyTorch -> Keras weight transfer parity."""
import json

import numpy as np
import pytest

import cnnlab
from cnnlab import course, data, models, transfer


def test_manifest_matches_freshly_generated_data():
    stored = json.loads(data.MANIFEST_PATH.read_text())["datasets"]
    assert stored == data.build_manifest()["datasets"], "run `python -m cnnlab.data --write-manifest`"


def test_data_check_command_agrees():
    assert data.main([]) == 0


@pytest.mark.parametrize("loader, shape, n_classes", [
    (lambda: data.load_digits(), (16, 16, 1), 10),
    (lambda: data.load_shapes(), (32, 32, 3), 4),
    (lambda: data.load_shapes(shortcut=True), (32, 32, 3), 4),
])
def test_splits_are_images_in_unit_range(loader, shape, n_classes):
    split = loader()
    assert split.image_shape == shape
    for x, y in [(split.x_train, split.y_train), (split.x_val, split.y_val), (split.x_test, split.y_test)]:
        assert x.dtype == np.float32 and y.dtype == np.int64 and len(x) == len(y)
        assert 0.0 <= x.min() and x.max() <= 1.0
        assert set(np.unique(y)) == set(range(n_classes))


def test_digits_split_is_fixed_and_disjoint():
    d = data.load_digits()
    assert (len(d.x_train), len(d.x_val), len(d.x_test)) == (1197, 300, 300)
    flat = lambda a: {row.tobytes() for row in a.reshape(len(a), -1)}
    assert not flat(d.x_train) & flat(d.x_test)


def test_shortcut_marker_only_in_train_and_validation():
    plain, short = data.load_shapes(), data.load_shapes(shortcut=True)
    for x, y in [(short.x_train, short.y_train), (short.x_val, short.y_val)]:
        for label in range(4):
            rows, cols = data.marker_box(label)
            assert np.all(x[y == label][:, rows, cols, :] == 1.0), "every training image carries its class marker"
    hits = [np.all(short.x_test[i][data.marker_box(int(l))] == 1.0) for i, l in enumerate(short.y_test)]
    assert np.mean(hits) < 0.01, "deployment images carry no marker"
    assert np.array_equal(plain.x_test, short.x_test)


def test_tampered_manifest_gives_a_clear_error(tmp_path, monkeypatch):
    manifest = json.loads(data.MANIFEST_PATH.read_text())
    manifest["datasets"]["digits16"]["sha256"] = "0" * 64
    fake = tmp_path / "MANIFEST.json"
    fake.write_text(json.dumps(manifest))
    monkeypatch.setattr(data, "MANIFEST_PATH", fake)
    with pytest.raises(data.DataIntegrityError, match="does not match"):
        data.load_digits()


def test_photos_and_unknown_photo():
    img = data.load_photo("chelsea", size=64)
    assert img.shape == (64, 64, 3) and img.dtype == np.float32
    with pytest.raises(ValueError, match="choose one of"):
        data.load_photo("lena")


def test_adapters_transpose_never_reshape():
    import torch
    d = data.load_shapes()
    xb, yb = next(iter(data.torch_loader(d.x_val[:4], d.y_val[:4], batch_size=4)))
    assert xb.shape == (4, 3, 32, 32) and yb.dtype == torch.int64
    np.testing.assert_array_equal(xb.numpy()[1, 2], d.x_val[1, :, :, 2])
    xs, ys = next(iter(data.tf_dataset(d.x_val[:4], d.y_val[:4], batch_size=4)))
    np.testing.assert_array_equal(np.asarray(xs), d.x_val[:4])


def test_seeding_makes_torch_and_keras_repeatable():
    import keras
    import torch
    cnnlab.seed_everything(3)
    a = (torch.rand(3), np.random.rand(3), keras.random.uniform((3,)).numpy())
    cnnlab.seed_everything(3)
    b = (torch.rand(3), np.random.rand(3), keras.random.uniform((3,)).numpy())
    for u, v in zip(a, b):
        np.testing.assert_array_equal(np.asarray(u), np.asarray(v))


@pytest.fixture(scope="module")
def trained_pair():
    import torch
    cnnlab.seed_everything(0)
    d = data.load_shapes()
    tm = models.small_cnn_torch(in_channels=3, n_classes=4, image_size=32, widths=(8, 16))
    models.train_torch(tm, data.torch_loader(d.x_train[:256], d.y_train[:256], 64, shuffle=True), epochs=1)
    with torch.no_grad():              # give BatchNorm statistics far from their defaults
        tm.features.bn1.running_var.mul_(0.01)
    km = models.small_cnn_keras(in_channels=3, n_classes=4, image_size=32, widths=(8, 16))
    return tm, km, d


def test_transfer_gives_outputs_within_1e_5(trained_pair):
    tm, km, d = trained_pair
    assert transfer.torch_to_keras(tm, km) == ["conv1", "bn1", "conv2", "bn2", "fc"]
    assert transfer.outputs_max_abs_diff(tm, km, d.x_val[:64]) <= 1e-5


def test_transfer_refuses_mismatched_batchnorm_epsilon(trained_pair):
    tm, _, _ = trained_pair
    keras_defaults = models.small_cnn_keras(in_channels=3, n_classes=4, image_size=32, widths=(8, 16),
                                            keras_defaults=True)
    with pytest.raises(transfer.TransferError, match="epsilon"):
        transfer.torch_to_keras(tm, keras_defaults)


def test_transfer_without_flatten_permutation_would_be_wrong(trained_pair):
    """The dense-row permutation matters: copying the Linear weight naively breaks parity."""
    tm, km, d = trained_pair
    transfer.torch_to_keras(tm, km)
    fc = km.get_layer("fc")
    good = fc.get_weights()
    fc.set_weights([tm.classifier.fc.weight.detach().numpy().T, good[1]])
    try:
        assert transfer.outputs_max_abs_diff(tm, km, d.x_val[:16]) > 1e-3
    finally:
        fc.set_weights(good)


def test_outputs_diff_restores_torch_mode(trained_pair):
    tm, km, d = trained_pair
    tm.train()
    transfer.outputs_max_abs_diff(tm, km, d.x_val[:4])
    assert tm.training


def test_colab_badge_points_at_the_path():
    url = course.colab_url("notebooks/ch16_train_vs_eval/ch16_train_vs_eval.ipynb")
    assert url.endswith(f"{course.REPO_OWNER}/{course.REPO_NAME}/blob/main/notebooks/ch16_train_vs_eval/ch16_train_vs_eval.ipynb")
