"""Lesson 09's figure: fidelity, utility and privacy of a DP generator against epsilon, beside non-private ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..validation import ParameterTypeError, check_positive
from .core import PALETTE, _styled, epsilon_axis, label_axes, new_figure

__all__ = ["plot_three_axes"]

#: (column of the results table, y label, panel title)
PANELS = (("2-way TVD", "mean 2-way TVD (lower is better)", "fidelity"),
          ("TSTR AUC", "ROC AUC on real holdout (higher is better)", "utility"),
          ("attack TPR", "membership attack TPR, 95% CI (lower is safer)", "privacy"))


@_styled
def plot_three_axes(results: pd.DataFrame, epsilon: float) -> Figure:
    """Three panels against epsilon (rows with an ``epsilon``), non-private rows as dashed lines, ``epsilon`` marked.

    ``results`` is the lesson's table: one row per generator, columns ``epsilon`` (NaN when not private) and the
    panels' columns; ``attack TPR low`` / ``attack TPR high`` give the attack's interval when present.
    """
    needed = {"epsilon"} | {column for column, _, _ in PANELS}
    if not isinstance(results, pd.DataFrame) or not needed <= set(results.columns):
        raise ParameterTypeError(f"results must be a DataFrame with columns {sorted(needed)}")
    epsilon = check_positive(epsilon, "epsilon")
    private = results[results["epsilon"].notna()].sort_values("epsilon")
    public = results[results["epsilon"].isna()]
    fig, axes = new_figure(ncols=3, width=13, height=3.8)
    for ax, (column, ylabel, title) in zip(axes, PANELS):
        rows = private[private[column].notna()]
        errors = None
        if column == "attack TPR" and {"attack TPR low", "attack TPR high"} <= set(rows.columns):
            errors = np.vstack([rows[column] - rows["attack TPR low"], rows["attack TPR high"] - rows[column]])
        ax.errorbar(rows["epsilon"], rows[column], yerr=errors, marker="o", color=PALETTE[0], capsize=3,
                    label="MST (DP)")
        for k, (name, row) in enumerate(public.iterrows()):
            if pd.notna(row[column]):
                ax.axhline(row[column], linestyle="--", color=PALETTE[(k + 1) % len(PALETTE)], label=name)
        ax.axvline(epsilon, color="grey", linewidth=1)
        epsilon_axis(ax)
        at = private.loc[np.isclose(private["epsilon"], epsilon), column]
        label_axes(ax, ax.get_xlabel(), ylabel, f"{title}: {at.iloc[0]:.2f} at ε = {epsilon:g}" if len(at) and
                   pd.notna(at.iloc[0]) else title)
    axes[0].legend(fontsize="small")
    return fig
