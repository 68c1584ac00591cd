"""The lab's look (palette, style) and the helpers every figure starts from: new_figure, label_axes, epsilon_axis."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..validation import ParameterTypeError, check_one_of, check_positive, check_positive_int

__all__ = ["PALETTE", "BASELINE_COLORS", "LAB_STYLE", "style", "use_lab_style", "new_figure", "label_axes",
           "epsilon_axis"]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Dashed reference lines (baselines, theoretical bounds): dark enough to read on white.
BASELINE_COLORS = ["#000000", "#666666", "#D55E00", "#CC79A7"]

#: The lab's matplotlib settings (small, legible, colour-blind-safe), applied by :func:`style`.
LAB_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 80,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}

Function = TypeVar("Function", bound=Callable[..., Any])


@contextmanager
def style() -> Iterator[None]:
    """Draw in the lab's style inside ``with lab.plots.style():``; outside it matplotlib keeps its own settings.

    The lab's plotting functions use it themselves, so ``import ppml_lab`` leaves your own figures alone.
    Only the keys of :data:`LAB_STYLE` are put back afterwards (``matplotlib.rc_context`` would put back
    everything, and so undo the interactive mode that Jupyter's inline backend turns on with the first figure).
    """
    saved = {key: mpl.rcParams[key] for key in LAB_STYLE}
    mpl.rcParams.update(LAB_STYLE)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def use_lab_style() -> None:
    """Make the lab's style matplotlib's global default, for every figure (the lab's own figures do not need it)."""
    mpl.rcParams.update(LAB_STYLE)


class LabAxes(Axes):
    """The axes of a lab figure: a title or legend added later, e.g. in a notebook cell, still gets the lab's style."""

    def set_title(self, *args: Any, **kwargs: Any) -> Any:
        with style():
            return super().set_title(*args, **kwargs)

    def legend(self, *args: Any, **kwargs: Any) -> Any:
        with style():
            return super().legend(*args, **kwargs)


def _styled(function: Function) -> Function:
    """Run a plotting function under :func:`style`."""
    @functools.wraps(function)
    def in_lab_style(*args: Any, **kwargs: Any) -> Any:
        with style():
            return function(*args, **kwargs)

    return in_lab_style


def _subplots(*args: Any, **kwargs: Any) -> tuple[Figure, Any]:
    """``plt.subplots`` in the lab's style, with :class:`LabAxes`."""
    with style():
        return plt.subplots(*args, subplot_kw={"axes_class": LabAxes}, **kwargs)


def _check_ax(ax: Axes) -> None:
    if not isinstance(ax, Axes):
        raise ParameterTypeError(f"ax must be a matplotlib Axes (e.g. from lab.plots.new_figure()), "
                                 f"got {type(ax).__name__}")


def _check_mapping(value: Mapping, name: str) -> None:
    if not isinstance(value, Mapping):
        raise ParameterTypeError(f"{name} must be a mapping (dict) of name -> values, got {type(value).__name__}")


def _check_same_length(values: Sequence, name: str, n: int, of: str) -> None:
    if len(values) != n:
        raise ValueError(f"{name} must have one entry per {of} ({n}), got {len(values)}")


@_styled
def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None,
               title: str | None = None) -> tuple[Figure, Axes | np.ndarray]:
    """A figure with ``nrows x ncols`` axes in the lab style (width/height in inches)."""
    check_positive_int(ncols, "ncols")
    check_positive_int(nrows, "nrows")
    for value, name in ((width, "width"), (height, "height")):
        if value is not None:
            check_positive(value, name)
    base_w, base_h = mpl.rcParams["figure.figsize"]
    fig, axes = _subplots(nrows, ncols, figsize=(width or base_w * min(ncols, 2) * 0.8 + base_w * 0.2,
                                                 height or base_h * nrows), squeeze=True)
    if title:
        fig.suptitle(title)
    return fig, axes


@_styled
def label_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Set axis labels (with units, by convention) and an optional title."""
    _check_ax(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


@_styled
def epsilon_axis(ax: Axes, axis: str = "x", label: str = "privacy budget ε (log scale)") -> Axes:
    """Make ``axis`` a log-scale epsilon axis, the lab's convention."""
    _check_ax(ax)
    check_one_of(axis, ("x", "y"), "axis")
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(label)
    # Plain numbers (0.5, 1, 2) rather than 2×10⁰; on ranges under two decades also label 2s and 5s.
    def minor_label(value: float, _position: int) -> str:
        low, high = sorted(target.get_view_interval())
        short_range = low > 0 and np.log10(high / low) < 2
        leading = round(value / 10 ** np.floor(np.log10(value)), 6) if value > 0 else 0
        return f"{value:g}" if short_range and leading in (2, 5) else ""

    target.set_major_formatter(mpl.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    target.set_minor_formatter(mpl.ticker.FuncFormatter(minor_label))
    return ax
