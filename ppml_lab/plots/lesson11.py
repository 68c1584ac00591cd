"""Lesson 11's figures: cost against protection for every technique of the capstone, and the budget split."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..validation import ParameterTypeError
from .charts import plot_bars
from .core import PALETTE, _styled, label_axes, new_figure

__all__ = ["plot_cost_protection", "plot_budget_split"]

_NEEDED = ("technique", "utility ×", "compute ×", "communication ×", "attack before", "attack after")
#: One marker per pipeline stage (1 redact, 2 release, 3 train, 4 serve, 5 delete), so colours may repeat.
_STAGE_MARKERS = {"1": "D", "2": "s", "3": "o", "4": "^", "5": "v"}


@_styled
def plot_cost_protection(table: pd.DataFrame) -> Figure:
    """Two panels from ``capstone.measured_table``: compute cost against utility (both as ratios to the
    non-private pipeline), and communication cost against the attack's success, before (hollow) and after
    (filled) each technique. Cost axes are log-scale; the marker says the stage; a row without a compute
    reference (stages 1 and 2) appears in the right panel only."""
    if not isinstance(table, pd.DataFrame) or not set(_NEEDED) <= set(table.columns):
        raise ParameterTypeError(f"table must be the DataFrame of capstone.measured_table (columns {_NEEDED}), "
                                 f"got {type(table).__name__}")
    fig, (left, right) = new_figure(ncols=2, width=11.0, height=4.2,
                                    title="What each technique costs, and what it buys (ratios to the "
                                          "non-private pipeline)")
    for i, row in enumerate(table.itertuples(index=False)):
        values = dict(zip(table.columns, row))
        colour = PALETTE[i % len(PALETTE)]
        marker = _STAGE_MARKERS.get(str(values.get("stage", "3"))[:1], "o")
        left.scatter(values["compute ×"], values["utility ×"], color=colour, marker=marker, s=50,
                     label=values["technique"], zorder=3)
        x = values["communication ×"]
        right.scatter(x, values["attack before"], facecolors="none", edgecolors=colour, marker=marker, s=50, zorder=3)
        right.scatter(x, values["attack after"], color=colour, marker=marker, s=50, zorder=3)
        right.annotate("", xy=(x, values["attack after"]), xytext=(x, values["attack before"]),
                       arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.2})
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axvline(1.0, color="#666666", ls="--", lw=1)
    left.axhline(1.0, color="#666666", ls="--", lw=1)
    label_axes(left, "compute (× non-private, log scale)", "utility (× non-private)", "cost against utility")
    label_axes(right, "communication (× non-private, log scale)", "attack success (its own measure)",
               "cost against protection: attack before ○ → after ●")
    right.set_ylim(-0.05, 1.05)
    left.legend(fontsize=7, loc="lower right")
    return fig


@_styled
def plot_budget_split(shares: Mapping[str, float], total_epsilon: float) -> Figure:
    """The epsilon each stage gets from one total budget (bars), the draw function of the budget widget."""
    if not isinstance(shares, Mapping) or not shares:
        raise ParameterTypeError(f"shares must be a non-empty mapping of stage -> epsilon, got {shares!r}")
    values = np.array([float(v) for v in shares.values()])
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"shares must be finite epsilons >= 0, got {dict(shares)!r}")
    fig, ax = new_figure()
    plot_bars(ax, list(shares), values.tolist())
    label_axes(ax, "stage", "ε spent (per record)", f"one budget of ε = {float(total_epsilon):g}, split by stage")
    return fig
