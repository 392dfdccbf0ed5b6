"""The course's data, always offline (spec section 5).

* ``load_digits()`` - scikit-learn's bundled 8x8 handwritten digits, upsampled, fixed split.
* ``load_shapes()`` - procedural coloured shapes; ``shortcut=True`` adds a class-correlated
  marker to the training and validation images but not to the test ("deployment") images.
* ``load_photo()`` - scikit-image's bundled photos.

Images are float32 NumPy arrays in [0, 1], channels last (N, H, W, C); labels are int64.
``torch_loader`` and ``tf_dataset`` adapt them to each framework.

Every generated dataset is fingerprinted (sha256 of its arrays) in ``data/MANIFEST.json``
and checked when loaded, so every student sees exactly the same pixels.
Rebuild the manifest with ``python -m cnnlab.data --write-manifest``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "data" / "MANIFEST.json"
SHAPE_CLASSES = ("circle", "square", "triangle", "cross")
DIGIT_CLASSES = tuple(str(d) for d in range(10))


class DataIntegrityError(RuntimeError):
    """Generated data differ from the fingerprint in data/MANIFEST.json."""


@dataclass(frozen=True)
class Split:
    """A fixed train/validation/test split of images (N, H, W, C) and labels (N,)."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple

    def arrays(self) -> dict:
        return {k: getattr(self, k) for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}

    @property
    def image_shape(self) -> tuple:
        return tuple(self.x_train.shape[1:])


# --------------------------------------------------------------------------- fingerprints

def fingerprint(arrays: dict) -> str:
    """sha256 over names, dtypes, shapes and bytes of the arrays, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _manifest() -> dict | None:
    if not MANIFEST_PATH.exists():
        return None
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def _verified(name: str, split: Split) -> Split:
    manifest = _manifest()
    if manifest is None:  # e.g. cnnlab installed without the repository: nothing to compare with
        return split
    entry = manifest["datasets"].get(name)
    if entry is None:
        raise DataIntegrityError(f"dataset {name!r} is not listed in {MANIFEST_PATH}; "
                                 "run `python -m cnnlab.data --write-manifest`")
    got = fingerprint(split.arrays())
    if got != entry["sha256"]:
        raise DataIntegrityError(
            f"dataset {name!r} does not match {MANIFEST_PATH}: expected sha256 {entry['sha256'][:12]}..., "
            f"generated {got[:12]}... The generator or a library it uses (NumPy, scikit-learn, "
            "scikit-image) behaves differently here; use the versions in requirements.txt.")
    return split


# --------------------------------------------------------------------------- digits

@lru_cache(maxsize=None)
def _digits(size: int) -> Split:
    from sklearn.datasets import load_digits as sk_digits
    from skimage.transform import resize

    bunch = sk_digits()
    images = (bunch.images / 16.0).astype(np.float32)                      # (1797, 8, 8)
    if size != 8:
        images = resize(images, (len(images), size, size), order=1, anti_aliasing=False,
                        preserve_range=True).astype(np.float32)
    images = np.clip(images, 0.0, 1.0)[..., None]
    labels = bunch.target.astype(np.int64)
    order = np.random.default_rng(2016).permutation(len(images))
    tr, va = order[:1197], order[1197:1497]
    te = order[1497:]
    return Split(images[tr], labels[tr], images[va], labels[va], images[te], labels[te], DIGIT_CLASSES)


def load_digits(size: int = 16) -> Split:
    """scikit-learn's digits (1797 images), bilinearly upsampled to size x size, one channel.

    Fixed split: 1197 train, 300 validation, 300 test.
    """
    return _verified(f"digits{size}", _digits(size))


# --------------------------------------------------------------------------- shapes

def _draw_shape(kind: int, size: int, cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx, dy = xx - cx, yy - cy
    if kind == 0:    # circle
        return dx ** 2 + dy ** 2 <= r ** 2
    if kind == 1:    # square
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    if kind == 2:    # triangle, apex up
        return (dy >= -r) & (dy <= r) & (np.abs(dx) <= (dy + r) / 2)
    if kind == 3:    # cross (plus sign)
        w = max(1.5, r / 3)
        return ((np.abs(dx) <= w) & (np.abs(dy) <= r)) | ((np.abs(dy) <= w) & (np.abs(dx) <= r))
    raise ValueError(kind)


MARKER_SIZE = 3


def marker_box(label: int, size: int = 32) -> tuple[slice, slice]:
    """Where the shortcut marker of class `label` sits: one corner per class (rows, cols)."""
    m, edge = MARKER_SIZE, 1
    top = label in (0, 1)
    left = label in (0, 2)
    rows = slice(edge, edge + m) if top else slice(size - edge - m, size - edge)
    cols = slice(edge, edge + m) if left else slice(size - edge - m, size - edge)
    return rows, cols


def make_shapes(n: int, seed: int, size: int = 32, marker: bool = False, noise: float = 0.08) -> tuple:
    """Generate `n` coloured shapes on noisy backgrounds.

    With `marker=True` each image gets a small white square in a corner chosen by its class
    (`marker_box`): a perfect shortcut. Returns (images float32 (n, size, size, 3), labels int64).
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(SHAPE_CLASSES), size=n).astype(np.int64)
    images = np.empty((n, size, size, 3), dtype=np.float32)
    for i, label in enumerate(labels):
        background = rng.uniform(0.0, 0.35, size=3)
        colour = rng.uniform(0.45, 1.0, size=3)
        r = rng.uniform(size * 0.16, size * 0.32)
        cx, cy = rng.uniform(r + 2, size - r - 2, size=2)
        mask = _draw_shape(int(label), size, cx, cy, r)
        img = np.where(mask[..., None], colour, background)
        img = img + rng.normal(0.0, noise, size=img.shape)
        if marker:
            rows, cols = marker_box(int(label), size)
            img[rows, cols, :] = 1.0
        # quantise to 8-bit levels: what a camera would give, and exactly reproducible
        images[i] = np.round(np.clip(img, 0.0, 1.0) * 255) / 255
    return images, labels


@lru_cache(maxsize=None)
def _shapes(shortcut: bool) -> Split:
    x_tr, y_tr = make_shapes(2000, seed=17, marker=shortcut)
    x_va, y_va = make_shapes(500, seed=18, marker=shortcut)
    x_te, y_te = make_shapes(500, seed=19, marker=False)   # deployment: never a marker
    return Split(x_tr, y_tr, x_va, y_va, x_te, y_te, SHAPE_CLASSES)


def load_shapes(shortcut: bool = False) -> Split:
    """Procedural shapes, 32x32 RGB, 4 classes: 2000 train, 500 validation, 500 test.

    `shortcut=True`: train and validation images carry a class-coded corner marker; the test
    split is the "deployment" data, drawn the same way but without the marker.
    """
    return _verified("shapes_shortcut" if shortcut else "shapes", _shapes(shortcut))


# --------------------------------------------------------------------------- photos

PHOTOS = ("chelsea", "astronaut", "coffee")


def load_photo(name: str = "chelsea", size: int | None = None) -> np.ndarray:
    """A photo bundled with scikit-image as float32 (H, W, 3) in [0, 1], optionally resized."""
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {PHOTOS}")
    import skimage.data
    from skimage.transform import resize
    img = getattr(skimage.data, name)().astype(np.float32) / 255.0
    if size is not None:
        img = resize(img, (size, size), order=1, anti_aliasing=True).astype(np.float32)
    return img


# --------------------------------------------------------------------------- adapters

def nhwc_to_nchw(x: np.ndarray) -> np.ndarray:
    """(N, H, W, C) -> (N, C, H, W): a transpose, never a reshape."""
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))


def torch_loader(x: np.ndarray, y: np.ndarray, batch_size: int = 64, shuffle: bool = False, seed: int = 0):
    """A torch DataLoader of (NCHW float tensor, int64 label) batches."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(torch.from_numpy(nhwc_to_nchw(x)), torch.from_numpy(np.asarray(y, dtype=np.int64)))
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, generator=gen)


def tf_dataset(x: np.ndarray, y: np.ndarray, batch_size: int = 64, shuffle: bool = False, seed: int = 0):
    """A batched tf.data.Dataset of (NHWC float32, int64 label)."""
    import tensorflow as tf
    ds = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), np.asarray(y, dtype=np.int64)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size)


# --------------------------------------------------------------------------- manifest

def _all_datasets() -> dict:
    return {
        "digits16": ("cnnlab.data.load_digits(size=16)", _digits(16)),
        "shapes": ("cnnlab.data.load_shapes(shortcut=False)", _shapes(False)),
        "shapes_shortcut": ("cnnlab.data.load_shapes(shortcut=True)", _shapes(True)),
    }


def build_manifest() -> dict:
    datasets = {}
    for name, (made_by, split) in _all_datasets().items():
        arrays = split.arrays()
        datasets[name] = {
            "sha256": fingerprint(arrays),
            "bytes": int(sum(a.nbytes for a in arrays.values())),
            "shapes": {k: list(a.shape) for k, a in sorted(arrays.items())},
            "made_by": made_by,
        }
    return {"about": "Fingerprints of the course's generated datasets (sha256 of names, dtypes, shapes "
                     "and bytes of the arrays). Rebuild: python -m cnnlab.data --write-manifest",
            "datasets": datasets}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnnlab.data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-manifest", action="store_true", help="regenerate data/MANIFEST.json")
    args = parser.parse_args(argv)
    fresh = build_manifest()
    if args.write_manifest:
        MANIFEST_PATH.parent.mkdir(exist_ok=True)
        MANIFEST_PATH.write_text(json.dumps(fresh, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {MANIFEST_PATH}")
        return 0
    stored = _manifest()
    ok = stored is not None and stored["datasets"] == fresh["datasets"]
    print("data match the manifest" if ok else f"data differ from {MANIFEST_PATH}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
