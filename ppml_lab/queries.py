"""Counting and averaging queries, exact and with the Laplace mechanism.

Taught in ``notebooks/01_laplace_mechanism.ipynb``. Sensitivities: adding or removing one
person changes a count by at most 1, and a mean of n values clamped to [lower, upper] by at
most (upper - lower) / n (n treated as public, the usual textbook simplification).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .mechanisms import laplace_mechanism
from .validation import check_nonempty

__all__ = ["count", "private_count", "mean_sensitivity", "private_mean"]


def count(mask: ArrayLike) -> int:
    """How many rows satisfy a boolean mask (the exact, non-private answer)."""
    mask = np.asarray(mask, dtype=bool)
    return int(mask.sum())


def private_count(mask: ArrayLike, epsilon: float, rng: np.random.Generator | int | None = None) -> float:
    """Laplace-noised count of rows satisfying ``mask``: epsilon-DP with sensitivity 1."""
    return laplace_mechanism(count(mask), sensitivity=1.0, epsilon=epsilon, rng=rng)


def mean_sensitivity(n: int, lower: float, upper: float) -> float:
    """Sensitivity (upper - lower) / n of the mean of n values clamped to [lower, upper]."""
    if not upper > lower:
        raise ValueError(f"upper must be > lower, got lower={lower!r}, upper={upper!r}")
    if n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    return (upper - lower) / n


def private_mean(values: ArrayLike, lower: float, upper: float, epsilon: float,
                 rng: np.random.Generator | int | None = None) -> float:
    """Laplace-noised mean of ``values`` clamped to [lower, upper]: epsilon-DP."""
    values = np.asarray(values, dtype=float)
    check_nonempty(values, "values")
    sensitivity = mean_sensitivity(len(values), lower, upper)
    return laplace_mechanism(np.clip(values, lower, upper).mean(), sensitivity, epsilon, rng)
