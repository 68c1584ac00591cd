"""Lesson 08's figure: re-identification and query error against k, with the DP table's error beside them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .core import PALETTE, _styled, label_axes, new_figure

__all__ = ["plot_anonymity_tradeoff"]


@_styled
def plot_anonymity_tradeoff(k_sweep: pd.DataFrame, dp_sweep: pd.DataFrame, k: int, epsilon: float) -> Figure:
    """Left: the linkage attack's success against k; right: counting-query error against k, and the DP table's
    error at ``epsilon`` (band: one standard deviation over seeds)."""
    for frame, name, needed in ((k_sweep, "k_sweep", {"k", "reidentified", "guess_rate", "query_error"}),
                                (dp_sweep, "dp_sweep", {"epsilon", "query_error", "query_error_std"})):
        if not isinstance(frame, pd.DataFrame) or not needed <= set(frame.columns):
            raise TypeError(f"{name} must be a DataFrame with columns {sorted(needed)}")
    fig, (left, right) = new_figure(ncols=2)
    ks = k_sweep["k"].to_numpy()
    left.plot(ks, 100 * k_sweep["guess_rate"], "o-", color=PALETTE[0], label="named right (random pick)")
    left.plot(ks, 100 * k_sweep["reidentified"], "s--", color=PALETTE[1], label="unique match")
    left.axvline(k, color="grey", lw=1)
    left.set_xscale("log")
    label_axes(left, "k (log scale; 1 = raw table)", "voters re-identified (%)", "Linkage attack on the release")
    left.legend()
    right.plot(ks, k_sweep["query_error"], "o-", color=PALETTE[2], label="Mondrian release")
    row = dp_sweep.iloc[int(np.argmin(np.abs(np.log(dp_sweep["epsilon"].to_numpy() / epsilon))))]
    low, high = row["query_error"] - row["query_error_std"], row["query_error"] + row["query_error_std"]
    right.axhspan(max(low, 0), high, color=PALETTE[3], alpha=0.3)
    right.axhline(row["query_error"], color=PALETTE[3], label=f"DP table, ε = {row['epsilon']:.2g}")
    right.axvline(k, color="grey", lw=1)
    right.set_xscale("log")
    label_axes(right, "k (log scale)", "mean absolute error (people per query)", "144 counting queries")
    right.legend()
    return fig
