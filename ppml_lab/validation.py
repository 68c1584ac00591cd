"""Argument checks for the public boundary: each raises ``ValueError`` naming the
parameter, the value it got and the range it accepts, before any work is done."""

from __future__ import annotations

import math
from collections.abc import Sized
from typing import Any


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "__float__")


def check_epsilon(epsilon: float, name: str = "epsilon") -> float:
    """Return ``epsilon`` as a float if it is finite and > 0."""
    return check_positive(epsilon, name)


def check_delta(delta: float, name: str = "delta") -> float:
    """Return ``delta`` as a float if it lies in [0, 1)."""
    if not _is_real(delta) or not math.isfinite(float(delta)) or not 0.0 <= float(delta) < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {delta!r}")
    return float(delta)


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as a float if it is finite and strictly positive."""
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_probability(value: float, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """Return ``value`` as a float if it lies in [0, 1] (ends optionally open)."""
    low_ok = (lambda v: v > 0) if open_low else (lambda v: v >= 0)
    high_ok = (lambda v: v < 1) if open_high else (lambda v: v <= 1)
    if not _is_real(value) or not math.isfinite(float(value)) or not (low_ok(float(value)) and high_ok(float(value))):
        interval = f"{'(' if open_low else '['}0, 1{')' if open_high else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return float(value)


def check_positive_int(value: int, name: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_nonempty(data: Sized, name: str = "data") -> None:
    """Raise if ``data`` has no rows."""
    if len(data) == 0:
        raise ValueError(f"{name} must be non-empty, got an empty dataset (0 rows)")
