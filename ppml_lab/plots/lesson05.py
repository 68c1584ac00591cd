"""Lesson 05's axis helper: integer ticks for counts of rounds and clients."""

from __future__ import annotations

from matplotlib.axes import Axes

from ..validation import check_one_of
from .core import _styled

__all__ = ["integer_ticks"]


@_styled
def integer_ticks(ax: Axes, axis: str = "x") -> Axes:
    """Whole-number ticks only on ``axis`` ("x" or "y"), for counts such as federated rounds."""
    from matplotlib.ticker import MaxNLocator

    check_one_of(axis, ("x", "y"), "axis")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    return ax
