"""What a membership attacker observes: a model's logits, the logit-scaled confidence and the loss."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ...models import check_module
from ...validation import check_array, check_positive_int

__all__ = ["model_logits", "logit_confidence", "example_loss"]






def _check_logits(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``logits`` (..., n_classes) with no NaN, ``labels`` integers in [0, n_classes) of shape logits.shape[:-1]."""
    logits = check_array(logits, "logits", finite=False)
    if logits.ndim < 2 or np.isnan(logits).any():
        raise ValueError(f"logits must be an array of shape (..., n_classes) without NaN, got shape {logits.shape}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.shape != logits.shape[:-1]:
        raise ValueError(f"labels must be integers of shape {logits.shape[:-1]} (logits' shape without the last "
                         f"axis), got {labels.dtype} {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[-1]):
        raise ValueError(f"labels must lie in [0, {logits.shape[-1]}), got values from {labels.min()} to "
                         f"{labels.max()}")
    return logits, labels


@torch.no_grad()
def model_logits(model: nn.Module, images: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """The model's raw outputs (before softmax), shape (n, n_classes), in float64."""
    check_module(model, "model")
    images = np.asarray(images)
    if images.ndim < 2 or not len(images) or images.dtype.kind != "f":
        raise ValueError(f"images must be a non-empty float array of shape (n, ...), got {images.dtype} "
                         f"{images.shape}")
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    dtype = next(model.parameters()).dtype  # float32 or float64 models (see TrainingRecipe.dtype)
    out = [model(torch.from_numpy(np.ascontiguousarray(images[i:i + batch_size])).to(dtype)).double()
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy()


def logit_confidence(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """phi = log(p_y / (1 - p_y)) computed stably from logits; roughly Gaussian across models.

    Carlini et al. 2022, Section IV-B (the "logit scaling" that makes Gaussian fits work).
    """
    logits, labels = _check_logits(logits, labels)
    true = np.take_along_axis(logits, labels[..., None].astype(int), axis=-1)[..., 0]
    others = logits.copy()
    np.put_along_axis(others, labels[..., None].astype(int), -np.inf, axis=-1)
    return true - np.logaddexp.reduce(others, axis=-1)


def example_loss(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy loss of each example: log-sum-exp(logits) - logit of the true class."""
    logits, labels = _check_logits(logits, labels)
    true = np.take_along_axis(logits, labels[..., None].astype(int), axis=-1)[..., 0]
    return np.logaddexp.reduce(logits, axis=-1) - true
