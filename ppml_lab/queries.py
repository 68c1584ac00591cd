"""Counting and averaging queries, exact and with the Laplace mechanism.

Taught in ``notebooks/01_laplace_mechanism.ipynb``. Neighbouring datasets here are
**replace-one** ("bounded" DP): both have the same n rows and differ in one person's row, so n
is public. Replacing one row changes a count by at most 1, and the mean of n values clamped to
[lower, upper] by at most (upper - lower) / n. (Under add/remove-one neighbours n itself changes,
and the mean's sensitivity is no longer (upper - lower) / n; a count's is still 1.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .mechanisms import laplace_mechanism
from .seeding import as_rng
from .validation import ParameterTypeError, check_array, check_epsilon, check_finite, check_positive_int

__all__ = ["count", "private_count", "mean_sensitivity", "private_mean"]


def _check_mask(mask: ArrayLike) -> np.ndarray:
    """A one-dimensional mask of booleans (or 0/1)."""
    if isinstance(mask, (str, bytes)) or np.ndim(mask) != 1:
        raise ParameterTypeError(f"mask must be a one-dimensional array of booleans, got {type(mask).__name__} "
                                 f"with shape {np.shape(mask)}")
    array = np.asarray(mask)
    if array.dtype != bool and (array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all()):
        raise ValueError("mask must contain only booleans (or 0/1), got other values")
    return array.astype(bool)


def count(mask: ArrayLike) -> int:
    """How many rows satisfy a boolean mask (the exact, non-private answer)."""
    return int(_check_mask(mask).sum())


def private_count(mask: ArrayLike, epsilon: float, rng: np.random.Generator | int | None = None) -> float:
    """Laplace-noised count of rows satisfying ``mask``: epsilon-DP with sensitivity 1.

    One row changes a count by at most 1 under replace-one and under add/remove-one neighbours alike.
    """
    mask = _check_mask(mask)
    check_epsilon(epsilon)
    rng = as_rng(rng)
    return laplace_mechanism(int(mask.sum()), sensitivity=1.0, epsilon=epsilon, rng=rng)


def mean_sensitivity(n: int, lower: float, upper: float) -> float:
    """Sensitivity (upper - lower) / n of the mean of n values clamped to [lower, upper], replace-one neighbours."""
    n = check_positive_int(n, "n")
    lower, upper = check_finite(lower, "lower"), check_finite(upper, "upper")
    if not upper > lower:
        raise ValueError(f"upper must be > lower, got lower={lower!r}, upper={upper!r}")
    return (upper - lower) / n


def private_mean(values: ArrayLike, lower: float, upper: float, epsilon: float,
                 rng: np.random.Generator | int | None = None) -> float:
    """Laplace-noised mean of ``values`` clamped to [lower, upper]: epsilon-DP for replace-one neighbours.

    ``values`` must be finite: a NaN would make the released mean NaN (and say that someone's value is missing).
    """
    if isinstance(values, (str, bytes)):
        raise ParameterTypeError(f"values must be a one-dimensional array of numbers, got {values!r}")
    values = check_array(values, "values", ndim=1)
    sensitivity = mean_sensitivity(len(values), lower, upper)
    check_epsilon(epsilon)
    rng = as_rng(rng)
    return laplace_mechanism(np.clip(values, lower, upper).mean(), sensitivity, epsilon, rng)
