"""Argument checks for the public boundary: each raises ``ValueError`` naming the
parameter, the value it got and the range it accepts, before any work is done.

A value of the wrong type raises :class:`ParameterTypeError`, which is both a ``TypeError`` (what
Python raises for a wrong type) and a ``ValueError`` (what callers of the lab caught before).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sized
from typing import Any

import numpy as np

__all__ = ["ParameterTypeError", "check_epsilon", "check_delta", "check_positive", "check_nonnegative",
           "check_finite", "check_probability", "check_positive_int", "check_one_of", "check_nonempty",
           "check_array"]


class ParameterTypeError(ValueError, TypeError):
    """A parameter of the wrong type (a ``TypeError`` that ``except ValueError`` also catches)."""


def _is_real(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return False
    return isinstance(value, (int, float)) or hasattr(value, "__float__") and np.ndim(value) == 0


def _real(value: Any, name: str, expected: str) -> float:
    """``value`` as a float, or ParameterTypeError when it is not a real number."""
    if not _is_real(value):
        raise ParameterTypeError(f"{name} must be {expected}, got {value!r} of type {type(value).__name__}")
    return float(value)


def check_finite(value: float, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number."""
    value_f = _real(value, name, "a finite number")
    if not math.isfinite(value_f):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value_f


def check_nonnegative(value: float, name: str) -> float:
    """Return ``value`` as a float if it is finite and >= 0."""
    value_f = _real(value, name, "a finite number >= 0")
    if not math.isfinite(value_f) or value_f < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value_f


def check_one_of(value: Any, options: Collection[Any], name: str) -> Any:
    """Return ``value`` if it is one of ``options``."""
    if isinstance(value, (list, dict, set)) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options, key=str)}, got {value!r}")
    return value


def check_array(values: Any, name: str, *, ndim: int | None = None, finite: bool = True, nonempty: bool = True,
                dtype: Any = float) -> np.ndarray:
    """Return ``values`` as a NumPy array of ``dtype`` after checking its shape, emptiness and finiteness."""
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError):
        raise ParameterTypeError(f"{name} must be an array of numbers, got {type(values).__name__}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-dimensional array, got shape {array.shape}")
    if nonempty and array.size == 0:
        raise ValueError(f"{name} must be non-empty, got an empty array")
    if finite and np.issubdtype(array.dtype, np.number) and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return array


def check_epsilon(epsilon: float, name: str = "epsilon") -> float:
    """Return ``epsilon`` as a float if it is finite and > 0."""
    return check_positive(epsilon, name)


def check_delta(delta: float, name: str = "delta") -> float:
    """Return ``delta`` as a float if it lies in [0, 1)."""
    delta_f = _real(delta, name, "a number in [0, 1)")
    if not math.isfinite(delta_f) or not 0.0 <= delta_f < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {delta!r}")
    return float(delta)


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float if it is finite and strictly positive."""
    value_f = _real(value, name, "a finite number > 0")
    if not math.isfinite(value_f) or value_f <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_probability(value: float, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Return ``value`` as a float if it lies in [0, 1] (ends optionally open)."""
    low_ok = (lambda v: v > 0) if open_low else (lambda v: v >= 0)
    high_ok = (lambda v: v < 1) if open_high else (lambda v: v <= 1)
    interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
    value_f = _real(value, name, f"a number in {interval}")
    if not math.isfinite(value_f) or not (low_ok(value_f) and high_ok(value_f)):
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return float(value)


def check_positive_int(value: int, name: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise ParameterTypeError(f"{name} must be an integer >= {minimum}, "
                                 f"got {value!r} of type {type(value).__name__}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_nonempty(data: Sized, name: str = "data") -> None:
    """Raise if ``data`` has no rows."""
    if not hasattr(data, "__len__"):
        raise ParameterTypeError(f"{name} must be a dataset or a sequence, got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError(f"{name} must be non-empty, got an empty dataset (0 rows)")
