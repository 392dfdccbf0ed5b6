"""Plotting helpers the chapters share: image grids, one-panel-per-framework figures,
and two-column comparison tables. Colormaps are colour-blind safe (viridis family)."""
from __future__ import annotations

import numpy as np

SEQUENTIAL = "viridis"     # colour-blind safe, perceptually uniform
DIVERGING = "RdBu_r"       # for signed values (weights, differences); readable with deuteranopia
FRAMEWORK_COLOURS = {"PyTorch": "#0072B2", "TensorFlow": "#E69F00"}   # Okabe-Ito blue / orange


def use_course_style() -> None:
    import matplotlib as mpl
    mpl.rcParams.update({"image.cmap": SEQUENTIAL, "figure.dpi": 80, "axes.titlesize": 10,
                         "figure.titlesize": 12, "axes.prop_cycle": mpl.cycler(color=[
                             "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"])})


def image_grid(images, titles=None, ncols: int = 8, cmap: str = SEQUENTIAL, suptitle: str = "",
               vmin=None, vmax=None, panel: float = 1.3, colorbar: bool = False):
    """Show (N, H, W) or (N, H, W, C) images in a grid; returns the figure.

    Single-channel images use `cmap`; RGB images are shown as they are (clipped to [0, 1]).
    """
    import matplotlib.pyplot as plt
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel * ncols, panel * nrows + (0.5 if suptitle else 0)),
                             squeeze=False)
    im = None
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        img = images[i]
        if img.ndim == 3:
            im = ax.imshow(np.clip(img, 0, 1))
        else:
            im = ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    if colorbar and im is not None and images.ndim == 3:
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8)
    fig.tight_layout() if not colorbar else None
    return fig


def framework_panels(panels: dict, suptitle: str, cmap: str = SEQUENTIAL, colorbar: bool = True):
    """One image panel per framework (or per variant), side by side, sharing a colour scale."""
    import matplotlib.pyplot as plt
    names = list(panels)
    arrays = [np.asarray(panels[k]) for k in names]
    vmin = min(float(a.min()) for a in arrays)
    vmax = max(float(a.max()) for a in arrays)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.2), squeeze=False)
    for ax, name, arr in zip(axes[0], names, arrays):
        im = ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
    if colorbar:
        fig.colorbar(im, ax=axes[0].tolist(), shrink=0.85)
    fig.suptitle(suptitle)
    return fig


def compare_table(torch_values: dict, tf_values: dict, atol: float = 1e-5):
    """Two-column comparison (PyTorch vs TensorFlow) with the absolute difference and a verdict."""
    import pandas as pd
    rows = []
    for key in torch_values:
        a, b = float(torch_values[key]), float(tf_values[key])
        rows.append({"quantity": key, "PyTorch": a, "TensorFlow": b, "|difference|": abs(a - b),
                     "agree": abs(a - b) <= atol})
    return pd.DataFrame(rows).set_index("quantity")
