"""Fixed, hand-crafted image features for the "better features" DP-SGD recipe.

Taught in ``notebooks/02_dpsgd.ipynb``. The features are computed by a formula that never looks
at any training data (no fitted statistics), so they cost no privacy; DP-SGD then trains only a
small linear model on top, which needs far less noise-free signal than learning from pixels.
Follows Tramèr & Boneh 2021, "Differentially Private Learning Needs Better Features (or Much More
Data)", with histogram-of-oriented-gradients features (Dalal & Triggs 2005) in place of ScatterNet.
"""

from __future__ import annotations

import numpy as np

from .datasets import ImageDataset
from .validation import (
    ParameterTypeError,
    check_array,
    check_nonempty,
    check_positive_int,
)

__all__ = ["featurize", "hog_features"]


def hog_features(images: np.ndarray, cells: int = 4, orientations: int = 9) -> np.ndarray:
    """Histograms of gradient orientation on a ``cells x cells`` grid, each cell's histogram L2-normalised.

    ``images`` has shape (n, 28, 28) or (n, 1, 28, 28); the result has shape
    (n, cells * cells * orientations), float32, each example's vector of norm at most ``cells``.
    """
    cells = check_positive_int(cells, "cells")
    orientations = check_positive_int(orientations, "orientations", minimum=2)
    images = check_array(images, "images", dtype=np.float32)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, H, W) or (n, 1, H, W), got {images.shape}")
    n, height, width = images.shape
    if height % cells or width % cells:
        raise ValueError(f"cells must divide the image size {height}x{width}, got {cells}")
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    gx = padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2]
    gy = padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)  # unsigned orientation in [0, pi)
    bins = np.minimum((angle / np.pi * orientations).astype(np.int64), orientations - 1)
    one_hot = np.zeros((n, height, width, orientations), dtype=np.float32)
    np.put_along_axis(one_hot, bins[..., None], magnitude[..., None], axis=3)
    ch, cw = height // cells, width // cells
    histograms = one_hot.reshape(n, cells, ch, cells, cw, orientations).sum(axis=(2, 4))
    norms = np.linalg.norm(histograms, axis=3, keepdims=True)
    histograms = histograms / np.maximum(norms, 1e-6)
    return histograms.reshape(n, -1).astype(np.float32)


def featurize(data: ImageDataset, cells: int = 4, orientations: int = 9) -> ImageDataset:
    """The same dataset with each image replaced by its :func:`hog_features` vector (labels unchanged)."""
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"data must be a ppml_lab.datasets.ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, "data")
    return ImageDataset(hog_features(data.images, cells, orientations), data.labels)
