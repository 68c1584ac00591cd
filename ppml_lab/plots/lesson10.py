"""Lesson 10's figures: the attack on the forget set per unlearning method, and SISA's cost-accuracy trade."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .core import PALETTE, _styled, label_axes, new_figure

__all__ = ["plot_forget_set_attack", "plot_sisa_tradeoff"]


@_styled
def plot_forget_set_attack(summary: pd.DataFrame) -> Figure:
    """AUC of LiRA on the forget set vs never-seen records, per model, with 95% intervals over seeds."""
    if not isinstance(summary, pd.DataFrame) or not {"AUC", "AUC low", "AUC high"} <= set(summary.columns):
        raise TypeError("summary must be the DataFrame of unlearning.summarise_seeds (AUC, AUC low, AUC high)")
    fig, ax = new_figure(width=7.5, height=3.4)
    y = np.arange(len(summary))
    errors = np.vstack([summary["AUC"] - summary["AUC low"], summary["AUC high"] - summary["AUC"]])
    ax.errorbar(summary["AUC"], y, xerr=errors, fmt="o", color=PALETTE[0], capsize=3)
    ax.axvline(0.5, ls="--", color="grey", lw=1.2, label="chance (AUC 0.5)")
    ax.set_yticks(y, summary.index)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    label_axes(ax, "AUC of LiRA: forget set vs never-seen records", "", "does the attack still find the forget set?")
    return fig


@_styled
def plot_sisa_tradeoff(grid: pd.DataFrame, shards: int, slices: int) -> Figure:
    """Left: test accuracy against shards (mean and spread over seeds); right: speed-up per deletion.

    The chosen (``shards``, ``slices``) is marked; the draw function of lesson 10's widget.
    """
    needed = {"shards", "slices", "accuracy (vote)", "speed-up (samples)", "speed-up (time)", "expected speed-up"}
    if not isinstance(grid, pd.DataFrame) or not needed <= set(grid.columns):
        raise TypeError(f"grid must be the DataFrame of unlearning.sisa_grid (columns {sorted(needed)})")
    chosen = grid[(grid["shards"] == shards) & (grid["slices"] == slices)]
    if chosen.empty:
        raise ValueError(f"shards and slices must be a pair in the grid, got ({shards}, {slices})")
    fig, (left, right) = new_figure(ncols=2, width=10, height=3.6)
    here = grid[grid["slices"] == slices].groupby("shards")
    mean, low, high = here["accuracy (vote)"].mean(), here["accuracy (vote)"].min(), here["accuracy (vote)"].max()
    left.errorbar(mean.index, mean, yerr=[mean - low, high - mean], marker="o", capsize=3, color=PALETTE[0],
                  label=f"{slices} slice(s), min-max over seeds")
    left.plot([shards], [chosen["accuracy (vote)"].mean()], "*", ms=14, color=PALETTE[3], label="chosen")
    left.legend(loc="lower left")
    label_axes(left, "shards S", "test accuracy (majority vote)", "the accuracy cost of sharding")
    speed = here[["speed-up (samples)", "speed-up (time)", "expected speed-up"]].mean()
    for i, column in enumerate(speed.columns):
        right.plot(speed.index, speed[column], marker="os^"[i], color=PALETTE[i], label=column)
    right.plot([shards], [chosen["speed-up (samples)"].mean()], "*", ms=14, color=PALETTE[3])
    right.set_xscale("log")
    right.set_yscale("log")
    right.legend(loc="upper left")
    label_axes(right, "shards S (log scale)", "speed-up per deletion (x, log scale)",
               f"S = {shards}, R = {slices}: {chosen['speed-up (samples)'].mean():.1f}x fewer samples")
    return fig
