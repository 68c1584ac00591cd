"""Exact unlearning: retrain from scratch without the deleted records (the baseline of every cost ratio)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from torch import nn

from ..datasets import ImageDataset, check_dataset
from ..validation import ParameterTypeError, check_positive_int

__all__ = ["Unlearned", "retrain_without"]


@dataclass(frozen=True)
class Unlearned:
    """A model after a deletion, and what the deletion cost.

    ``samples_processed`` (forward and backward passes of one example) and ``gradient_steps`` are
    exact and the same on every machine; ``seconds`` is wall-clock time and is not.
    """

    model: nn.Module
    method: str
    samples_processed: int
    gradient_steps: int
    seconds: float


def check_record_ids(record_ids: object, n_records: int, name: str = "record_ids") -> np.ndarray:
    """Distinct integer record ids, each a row of the training set [0, n_records); else a ValueError naming them."""
    try:
        ids = np.asarray(record_ids)
    except (TypeError, ValueError):
        raise ParameterTypeError(f"{name} must be a sequence of integer record ids, got {record_ids!r}") from None
    if ids.ndim == 0:
        ids = ids[None]
    if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
        raise ParameterTypeError(f"{name} must be a 1-D sequence of integer record ids, got {ids.dtype} "
                                 f"of shape {ids.shape}")
    ids = ids.astype(np.int64)
    if not ids.size:
        raise ValueError(f"{name} must name at least one record, got none")
    outside = ids[(ids < 0) | (ids >= n_records)]
    if outside.size:
        raise ValueError(f"{name} must be record ids in the training set [0, {n_records}), got {outside[:5].tolist()}"
                         " (not in the training set)")
    if len(np.unique(ids)) != len(ids):
        raise ValueError(f"{name} must not repeat a record, got {len(ids) - len(np.unique(ids))} repeats")
    return ids


def remaining(data: ImageDataset, record_ids: np.ndarray) -> ImageDataset:
    """``data`` without the rows ``record_ids``."""
    keep = np.ones(len(data), dtype=bool)
    keep[record_ids] = False
    return ImageDataset(data.images[keep], data.labels[keep])


def retrain_without(recipe, data: ImageDataset, record_ids: object, seed: int = 0) -> Unlearned:
    """Exact unlearning: a fresh model trained with ``recipe`` on ``data`` minus rows ``record_ids``.

    ``recipe`` is lesson 03's :class:`ppml_lab.attacks.membership.TrainingRecipe` (plain SGD), so
    the retrained model is trained exactly as the original was, only without the records. Its cost
    (epochs x retained records) is the baseline every speed-up in lesson 10 is measured against.
    """
    from ..attacks.membership import TrainingRecipe

    if not isinstance(recipe, TrainingRecipe) or recipe.uses_dpsgd:
        raise ParameterTypeError(f"recipe must be a plain-SGD ppml_lab.attacks.membership.TrainingRecipe, "
                                 f"got {recipe!r}")
    check_dataset(data, "data")
    ids = check_record_ids(record_ids, len(data))
    seed = check_positive_int(seed, "seed", minimum=0)
    if len(ids) >= len(data):
        raise ValueError(f"record_ids must leave at least one record to train on, got all {len(data)}")
    kept = remaining(data, ids)
    start = time.perf_counter()
    model = recipe.train(kept, seed)
    seconds = time.perf_counter() - start
    steps = recipe.epochs * math.ceil(len(kept) / recipe.batch_size)
    return Unlearned(model, "exact retraining", recipe.epochs * len(kept), steps, seconds)
