"""Planted canaries: does a trained model memorise one training record? (Carlini et al. 2019, "The Secret Sharer")

Taught in ``notebooks/02_dpsgd.ipynb``. A *canary* is a record nobody could guess: here an image of
uniform random pixels with a random label. We plant a few canaries in the training set, each once,
train, and ask how much better the model fits each canary than the many equally likely canaries
that were *never* planted (the references, scored at the same label). Carlini et al.'s *exposure*

    exposure = log2(number of candidates) - log2(rank of the planted canary among them)

is about log2(R + 1) (10 bits for R = 1,023 references) when the planted canary has the lowest loss of
all, i.e. it was memorised, and averages 1 / ln 2 ~ 1.44 bits when it ranks like any reference (a
uniform rank). Differential privacy bounds how far one record can move the model, so it bounds
exposure; without it a model can memorise a single record. This is membership inference
(``ppml_lab.attacks.membership``, lesson 03) on a record chosen to be as easy to spot as possible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import pandas as pd

from ..cache import cached
from ..datasets import ImageDataset
from ..validation import (
    ParameterTypeError,
    check_array,
    check_epsilon,
    check_positive_int,
)

__all__ = ["CHANCE_EXPOSURE", "canary_exposure", "exposure", "make_canaries", "plant", "run_canary_experiment"]

#: Mean exposure of a canary whose rank is uniform among the candidates (the model learnt nothing about it).
CHANCE_EXPOSURE = 1 / math.log(2)


def make_canaries(count: int, *, n_classes: int = 10, shape: tuple[int, ...] = (1, 28, 28),
                  seed: int = 0) -> ImageDataset:
    """``count`` canaries: images of uniform random pixels in [0, 1] with uniformly random labels."""
    count = check_positive_int(count, "count")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    if not isinstance(shape, tuple) or not shape or not all(isinstance(s, int) and s > 0 for s in shape):
        raise ValueError(f"shape must be a non-empty tuple of positive integers, got {shape!r}")
    seed = check_positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    images = rng.random((count, *shape), dtype=np.float32)
    return ImageDataset(images, rng.integers(0, n_classes, count).astype(np.int64))


def plant(train: ImageDataset, canaries: ImageDataset) -> ImageDataset:
    """``train`` with ``canaries`` appended (each once)."""
    for name, data in (("train", train), ("canaries", canaries)):
        if not isinstance(data, ImageDataset):
            raise ParameterTypeError(f"{name} must be a ppml_lab.datasets.ImageDataset, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError(f"{name} must be non-empty, got an empty dataset (0 rows)")
    if train.images.shape[1:] != canaries.images.shape[1:]:
        raise ValueError(f"canaries must have images of shape {train.images.shape[1:]} like train, "
                         f"got {canaries.images.shape[1:]}")
    return ImageDataset(np.concatenate([train.images, canaries.images.astype(train.images.dtype)]),
                        np.concatenate([train.labels, canaries.labels.astype(train.labels.dtype)]))


def exposure(canary_losses: np.ndarray, reference_losses: np.ndarray) -> np.ndarray:
    """Exposure of each canary: log2(R + 1) - log2(rank), rank 1 = lower loss than all R references.

    ``canary_losses`` has shape (k,); ``reference_losses`` shape (k, R): row i holds the references'
    losses at canary i's label. Ties count against the canary (a conservative rank).
    """
    canary_losses = check_array(canary_losses, "canary_losses", ndim=1)
    reference_losses = check_array(reference_losses, "reference_losses", ndim=2)
    if reference_losses.shape[0] != canary_losses.shape[0]:
        raise ValueError(f"reference_losses must have one row per canary ({len(canary_losses)}), "
                         f"got shape {reference_losses.shape}")
    ranks = 1 + (reference_losses <= canary_losses[:, None]).sum(axis=1)
    return np.log2(reference_losses.shape[1] + 1) - np.log2(ranks)


def canary_exposure(model, canaries: ImageDataset, references: np.ndarray) -> np.ndarray:
    """Exposure of each planted canary in ``model`` against ``references`` (never-planted canary images)."""
    import torch

    from ..training import predict_proba

    if not isinstance(model, torch.nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(canaries, ImageDataset) or len(canaries) == 0:
        raise ValueError(f"canaries must be a non-empty ppml_lab.datasets.ImageDataset, got {canaries!r:.60}")
    references = check_array(references, "references", dtype=np.float32)
    if references.shape[1:] != canaries.images.shape[1:]:
        raise ValueError(f"references must have images of shape {canaries.images.shape[1:]}, "
                         f"got {references.shape[1:]}")
    labels = canaries.labels
    canary_losses = -np.log(np.maximum(predict_proba(model, canaries.images)[np.arange(len(labels)), labels], 1e-300))
    reference_probabilities = predict_proba(model, references)  # (R, classes)
    reference_losses = -np.log(np.maximum(reference_probabilities[:, labels].T, 1e-300))  # (k, R)
    return exposure(canary_losses.astype(np.float64), reference_losses.astype(np.float64))


def run_canary_experiment(epsilons: Sequence[float | None], seeds: Sequence[int] = (0, 1, 2), *,
                          n_canaries: int = 10, n_references: int = 1023, config=None) -> pd.DataFrame:
    """Plant ``n_canaries`` canaries in the sweep's training data, train with DP-SGD at each epsilon
    (``None``: the non-private baseline) and seed, and return one row per (epsilon, seed, canary).

    The canaries and the training noise change with the seed; the references are fixed. Each model
    is cached on disk by all its inputs. Columns: epsilon (NaN for non-private), seed, canary,
    exposure, accuracy (test accuracy of that model).
    """
    from ..sweep import SweepConfig

    config = SweepConfig() if config is None else config
    if not isinstance(config, SweepConfig):
        raise ParameterTypeError(f"config must be a SweepConfig, got {type(config).__name__}")
    if isinstance(epsilons, (str, bytes)) or not hasattr(epsilons, "__iter__") or len(list(epsilons)) == 0:
        raise ValueError(f"epsilons must be a non-empty sequence of numbers or None, got {epsilons!r}")
    epsilons = [None if e is None else check_epsilon(e) for e in epsilons]
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__") or len(list(seeds)) == 0:
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    seeds = [check_positive_int(s, "seeds", minimum=0) for s in seeds]
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    n_references = check_positive_int(n_references, "n_references")
    if config.features != "pixels":
        raise ValueError(f"config must use features='pixels' (canaries are random pixel images), "
                         f"got {config.features!r}")
    rows = []
    for epsilon in epsilons:
        for seed in seeds:
            inputs = {"epsilon": epsilon, "seed": seed, "n_canaries": n_canaries, "n_references": n_references,
                      **asdict(config)}
            result = cached("dpsgd_canaries", inputs,
                            lambda e=epsilon, s=seed: _one_model(e, s, n_canaries, n_references, config))
            rows += [{"epsilon": math.nan if epsilon is None else epsilon, "seed": seed, "canary": i,
                      "exposure": float(value), "accuracy": result["accuracy"]}
                     for i, value in enumerate(result["exposure"])]
    return pd.DataFrame(rows, columns=["epsilon", "seed", "canary", "exposure", "accuracy"])


def _one_model(epsilon: float | None, seed: int, n_canaries: int, n_references: int, config) -> dict:
    from ..dpsgd import train_dpsgd
    from ..models import build_model
    from ..sweep import data_split

    train, test = data_split(config.dataset, config.features, config.holdout)
    canaries = make_canaries(n_canaries, shape=train.images.shape[1:], seed=1000 + seed)
    references = make_canaries(n_references, shape=train.images.shape[1:], seed=999).images
    kwargs = {} if config.model.startswith("cnn") else {"n_features": int(train.images[0].size)}
    result = train_dpsgd(build_model(config.model, seed=seed, **kwargs), plant(train, canaries), test,
                         epsilon=epsilon, delta=config.delta, epochs=config.epochs, batch_size=config.batch_size,
                         lr=config.lr, accountant=config.accountant, seed=seed)
    return {"exposure": canary_exposure(result.model, canaries, references), "accuracy": result.accuracy}
