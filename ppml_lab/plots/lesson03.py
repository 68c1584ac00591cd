"""Lesson 03's figures: membership attacks side by side, and an audit's bounds against the claimed epsilon."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .core import BASELINE_COLORS, PALETTE, _styled, epsilon_axis, new_figure

__all__ = ["plot_attack_comparison", "plot_audit_bounds"]


@_styled
def plot_attack_comparison(frame, attacks: Sequence[str] | None = None) -> Figure:
    """Lesson 03's privacy-utility-attack picture, one column per training setting of ``frame``.

    ``frame`` is :func:`ppml_lab.attacks.membership.comparison_frame` (settings in the order to draw,
    e.g. the non-private recipe, DP-SGD's recipe without noise and clipping, clip only, then ε from
    large to small, which is log-spaced when ε halves each step). Left: each attack's AUC; middle:
    TPR at 0.1% FPR on a log axis (a TPR of 0 sits on the bottom edge); both with their 95% intervals.
    Right: train and test accuracy.
    Dotted lines are guessing (AUC 0.5, TPR = FPR = 0.001).
    """
    import pandas as pd

    needed = {"setting", "attack", "AUC", "AUC low", "AUC high", "TPR@0.1%FPR", "TPR@0.1%FPR low",
              "TPR@0.1%FPR high", "train accuracy", "test accuracy"}
    if not isinstance(frame, pd.DataFrame) or frame.empty or not needed <= set(frame.columns):
        raise ValueError("frame must be a non-empty DataFrame from attacks.membership.comparison_frame, with "
                         f"columns {sorted(needed)}")
    settings = list(dict.fromkeys(frame["setting"]))
    attacks = list(dict.fromkeys(frame["attack"])) if attacks is None else list(attacks)
    unknown = sorted(set(attacks) - set(frame["attack"]))
    if not attacks or unknown:
        raise ValueError(f"attacks must name attacks in frame, got unknown {unknown} (or none)")
    x = np.arange(len(settings))
    fig, axes = new_figure(ncols=3, width=13, height=3.8)
    for ax, column in zip(axes[:2], ["AUC", "TPR@0.1%FPR"]):
        for i, attack in enumerate(attacks):
            rows = frame[frame["attack"] == attack].set_index("setting").loc[settings]
            shift = (i - (len(attacks) - 1) / 2) * 0.08  # side by side, so the intervals do not hide each other
            errors = np.vstack([rows[column] - rows[f"{column} low"], rows[f"{column} high"] - rows[column]])
            values = rows[column].to_numpy() if column == "AUC" else np.maximum(rows[column].to_numpy(), 3e-4)
            ax.errorbar(x + shift, values, yerr=np.maximum(errors, 0), marker="o", ms=4, capsize=2,
                        lw=1.2, label=attack, color=PALETTE[i % len(PALETTE)])
        ax.set_ylabel(f"attack {column} (fraction)")
    axes[0].axhline(0.5, ls=":", color="grey", label="guessing")
    axes[1].axhline(0.001, ls=":", color="grey", label="guessing")
    axes[1].set_yscale("log")
    axes[1].set_ylim(2e-4, 1)
    axes[0].legend(fontsize=8)
    accuracy = frame.drop_duplicates("setting").set_index("setting").loc[settings]
    for j, column in enumerate(["train accuracy", "test accuracy"]):
        axes[2].plot(x, accuracy[column], marker="os"[j], ms=4, label=column, color=BASELINE_COLORS[j])
    axes[2].set_ylabel("accuracy (fraction)")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.set_xticks(x, settings, rotation=35, ha="right", fontsize=8)
        ax.set_xlabel("training setting (less privacy to the left)")
    return fig


@_styled
def plot_audit_bounds(ax: Axes, claimed: Sequence[float], empirical: Sequence[float], *,
                      broken: tuple[float, float] | None = None, ceiling: float | None = None) -> Axes:
    """Audit lower bounds against the claimed ε (log axis): the correct runs, a broken one, the audit's ceiling."""
    from ..validation import check_array, check_nonnegative

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    claimed = check_array(claimed, "claimed", ndim=1)
    if (claimed <= 0).any():
        raise ValueError(f"claimed must hold epsilons > 0 (a log axis), got {claimed.tolist()}")
    empirical = check_array(empirical, "empirical", ndim=1)
    if empirical.shape != claimed.shape or (empirical < 0).any():
        raise ValueError(f"empirical must hold one bound >= 0 per claimed epsilon ({len(claimed)}), "
                         f"got {empirical.tolist()}")
    if ceiling is not None:
        ceiling = check_nonnegative(ceiling, "ceiling")
    ax.plot(claimed, empirical, marker="o", ms=4, color=PALETTE[0], label="correct DP-SGD: empirical lower bound")
    if broken is not None:
        ax.plot([broken[0]], [broken[1]], "X", ms=11, color=PALETTE[3],
                label=f"broken DP-SGD (claims ε = {broken[0]:g})")
    ax.plot(claimed, claimed, ls="--", color="black", lw=1, label="claimed ε (accountant)")
    if ceiling is not None:
        ax.axhline(ceiling, ls=":", color=BASELINE_COLORS[1], label=f"most this audit can prove (ε ≥ {ceiling:.2f})")
    epsilon_axis(ax, label="claimed privacy budget ε (log scale)")
    ax.set_xticks(claimed, [f"{value:g}" for value in claimed])
    ax.minorticks_off()
    ax.set_ylabel("empirical ε lower bound (95%)")
    ax.legend(fontsize=8)
    return ax
