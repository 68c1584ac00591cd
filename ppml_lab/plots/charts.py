"""The lab's charts: histograms, curves, heatmaps, bars, image grids, ROC and privacy-utility plots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..validation import check_array, check_positive, check_positive_int
from .core import (
    BASELINE_COLORS,
    PALETTE,
    _check_ax,
    _check_mapping,
    _check_same_length,
    _styled,
    _subplots,
    epsilon_axis,
    label_axes,
)

__all__ = ["plot_histogram", "plot_curves", "plot_heatmap", "plot_bars", "show_images", "plot_grouped_bars",
           "plot_label_mix", "plot_vote_histograms", "plot_privacy_utility", "plot_dpsgd_frontier", "plot_roc"]


@_styled
def plot_histogram(ax: Axes, samples: np.ndarray, bins: int | np.ndarray = 60, label: str | None = None,
                   pdf: tuple[np.ndarray, np.ndarray] | None = None, color: str | None = None) -> Axes:
    """Density histogram of ``samples``, optionally with a theoretical density ``pdf=(x, p(x))``."""
    _check_ax(ax)
    samples = check_array(samples, "samples", ndim=1)
    if isinstance(bins, (int, np.integer)):
        check_positive_int(bins, "bins")
    ax.hist(samples, bins=bins, density=True, alpha=0.45, label=label, color=color)
    if pdf is not None:
        ax.plot(*pdf, color=color or "black", lw=1.5)
    return ax


@_styled
def plot_curves(ax: Axes, x: Sequence[float], curves: Mapping[str, Sequence[float]],
                errors: Mapping[str, Sequence[float]] | None = None, marker: str = "o",
                baselines: Mapping[str, float] | None = None) -> Axes:
    """One line per entry of ``curves`` (optional error bars), and horizontal ``baselines``."""
    _check_ax(ax)
    _check_mapping(curves, "curves")
    x = check_array(x, "x", ndim=1, finite=False)
    for name, y in curves.items():
        _check_same_length(np.atleast_1d(y), f"curves[{name!r}]", len(x), "x value")
    for i, (name, y) in enumerate(curves.items()):
        err = None if errors is None else errors.get(name)
        ax.errorbar(x, y, yerr=err, marker=marker, ms=4, capsize=3, label=name, color=PALETTE[i % len(PALETTE)])
    for j, (name, level) in enumerate((baselines or {}).items()):
        ax.axhline(level, ls="--", lw=1.2, color=BASELINE_COLORS[j % len(BASELINE_COLORS)], label=name)
    if curves or baselines:
        ax.legend()
    return ax


@_styled
def plot_heatmap(ax: Axes, values: np.ndarray, x_labels: Sequence, y_labels: Sequence,
                 xlabel: str, ylabel: str, value_label: str, mark: tuple[int, int] | None = None,
                 fmt: str = "{:.2f}") -> Axes:
    """Annotated heatmap of ``values[row, col]``; ``mark=(row, col)`` outlines one cell."""
    _check_ax(ax)
    values = check_array(values, "values", ndim=2, finite=False)
    _check_same_length(x_labels, "x_labels", values.shape[1], "column of values")
    _check_same_length(y_labels, "y_labels", values.shape[0], "row of values")
    image = ax.imshow(values, cmap="viridis", aspect="auto", origin="lower")
    ax.figure.colorbar(image, ax=ax, label=value_label)
    ax.set_xticks(range(len(x_labels)), [str(v) for v in x_labels])
    ax.set_yticks(range(len(y_labels)), [str(v) for v in y_labels])
    ax.grid(False)
    label_axes(ax, xlabel, ylabel)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="black" if v > middle else "white")
    if mark is not None:
        r, c = mark
        ax.add_patch(mpl.patches.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, lw=2.5, ec="#D55E00"))
    return ax


@_styled
def plot_bars(ax: Axes, labels: Sequence[str], values: Sequence[float], errors: Sequence[float] | None = None,
              highlight: int | None = None) -> Axes:
    """Bar chart with optional error bars; ``highlight`` colours one bar."""
    _check_ax(ax)
    _check_same_length(check_array(values, "values", ndim=1), "values", len(labels), "label")
    if errors is not None:
        _check_same_length(errors, "errors", len(labels), "label")
    colors = [PALETTE[3] if i == highlight else PALETTE[0] for i in range(len(labels))]
    ax.bar(range(len(labels)), values, yerr=errors, color=colors, capsize=3)
    ax.set_xticks(range(len(labels)), labels)
    return ax


@_styled
def show_images(images: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8,
                size: float = 1.1) -> Figure:
    """Grid of greyscale images (n, 28, 28) or (n, 1, 28, 28) with optional titles."""
    if check_array(images, "images", finite=False).ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, h, w) or (n, 1, h, w), got {np.shape(images)}")
    if titles is not None:
        _check_same_length(titles, "titles", len(images), "image")
    check_positive_int(ncols, "ncols")
    check_positive(size, "size")
    images = np.asarray(images).reshape(len(images), *np.asarray(images).shape[-2:])
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = _subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    return fig


@_styled
def plot_grouped_bars(ax: Axes, labels: Sequence[str], series: Mapping[str, Sequence[float]],
                      log: bool = False, fmt: str | None = None) -> Axes:
    """Side-by-side bars: one group per label, one bar per entry of ``series`` (e.g. two
    implementations per operation); ``log`` for values spanning decades; ``fmt`` annotates bars."""
    _check_ax(ax)
    _check_mapping(series, "series")
    for name, values in series.items():
        _check_same_length(values, f"series[{name!r}]", len(labels), "label")
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        positions = np.arange(len(labels)) + (i - (len(series) - 1) / 2) * width
        bars = ax.bar(positions, values, width=width, label=name, color=PALETTE[i % len(PALETTE)])
        if fmt is not None:
            ax.bar_label(bars, [fmt.format(v) for v in values], fontsize=7, padding=1)
    ax.set_xticks(range(len(labels)), labels)
    if log:
        ax.set_yscale("log")
    if series:
        ax.legend()
    return ax


@_styled
def plot_label_mix(ax: Axes, counts: np.ndarray, normalize: bool = True) -> Axes:
    """Stacked bars of each client's examples per label (``counts[client, label]``, e.g. a
    ``federated.label_mix`` DataFrame); ``normalize`` shows shares so small clients stay visible."""
    _check_ax(ax)
    counts = check_array(counts, "counts", ndim=2)
    if (counts < 0).any():
        raise ValueError("counts must be non-negative (examples per client and label)")
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    colours = mpl.colormaps["tab10"]
    bottom = np.zeros(len(counts))
    for label in range(counts.shape[1]):
        ax.bar(np.arange(len(counts)), shares[:, label], bottom=bottom, width=0.85, color=colours(label % 10),
               label=str(label))
        bottom += shares[:, label]
    ax.set_xlim(-0.6, len(counts) - 0.4)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(False)
    ax.legend(title="label", ncols=2, fontsize=7, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return label_axes(ax, "client", "share of the client's examples" if normalize else "examples (count)")


@_styled
def plot_vote_histograms(votes: np.ndarray, images: np.ndarray | None = None,
                         titles: Sequence[str] | None = None, size: float = 1.6) -> Figure:
    """One bar chart of teacher votes per class for each query (row of ``votes``), the plurality
    class highlighted, with the query image above it when ``images`` is given (PATE lesson)."""
    votes = np.atleast_2d(check_array(votes, "votes"))
    if votes.ndim != 2 or (votes < 0).any():
        raise ValueError(f"votes must be a non-negative (queries, classes) array, got shape {votes.shape}")
    if images is not None:
        _check_same_length(images, "images", len(votes), "query")
    if titles is not None:
        _check_same_length(titles, "titles", len(votes), "query")
    n_queries, n_classes = votes.shape
    nrows = 1 if images is None else 2
    fig, axes = _subplots(nrows, n_queries, figsize=(size * n_queries + 0.6, size * nrows * 1.05),
                          squeeze=False, height_ratios=None if images is None else [1, 1.3])
    for j in range(n_queries):
        bar_ax = axes[-1, j]
        top = int(np.argmax(votes[j]))
        colors = [PALETTE[3] if c == top else PALETTE[0] for c in range(n_classes)]
        bar_ax.bar(range(n_classes), votes[j], color=colors)
        bar_ax.set_xticks(range(n_classes), [str(c) for c in range(n_classes)], fontsize=7)
        bar_ax.set_ylim(0, votes.sum(1).max())
        bar_ax.set_xlabel("class", fontsize=8)
        if j == 0:
            bar_ax.set_ylabel("votes (teachers)", fontsize=8)
        if titles is not None:
            bar_ax.set_title(titles[j], fontsize=8)
        if images is not None:
            axes[0, j].imshow(np.asarray(images[j]).reshape(np.asarray(images[j]).shape[-2:]), cmap="gray_r")
            axes[0, j].axis("off")
    return fig


@_styled
def plot_privacy_utility(ax: Axes, curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                         ylabel: str = "accuracy (fraction)", mark: tuple[float, float] | None = None,
                         styles: Mapping[str, str] | None = None) -> Axes:
    """Privacy-utility curves: for each name, utility against epsilon (log x axis); ``mark`` rings one point."""
    _check_ax(ax)
    _check_mapping(curves, "curves")
    for name, (epsilons, utility) in curves.items():
        if (check_array(epsilons, f"curves[{name!r}] epsilons", ndim=1) <= 0).any():
            raise ValueError(f"curves[{name!r}] epsilons must be > 0 (log axis)")
        _check_same_length(utility, f"curves[{name!r}] utility", len(epsilons), "epsilon")
    for i, (name, (epsilons, utility)) in enumerate(curves.items()):
        order = np.argsort(epsilons)
        ax.plot(np.asarray(epsilons)[order], np.asarray(utility)[order], (styles or {}).get(name, "-"), marker="o",
                ms=4, label=name, color=PALETTE[i % len(PALETTE)])
    if mark is not None:
        ax.plot(*mark, "o", ms=13, mfc="none", mec=PALETTE[3], mew=2, label="current setting")
    epsilon_axis(ax)
    plain_numbers = mpl.ticker.FuncFormatter(lambda value, _position: f"{value:g}")
    ax.xaxis.set_major_formatter(plain_numbers)
    ax.xaxis.set_minor_formatter(plain_numbers)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_ylabel(ylabel)
    if curves:
        ax.legend(fontsize=8)
    return ax


@_styled
def plot_dpsgd_frontier(ax: Axes, summary, baseline_label: str = "non-private baseline") -> Axes:
    """DP-SGD accuracy against epsilon, one line per clipping norm with error bars over seeds, the baseline
    dashed. ``summary`` is :func:`ppml_lab.sweep.summarize`'s table (NaN epsilon marks baseline rows)."""
    _check_ax(ax)
    missing = {"epsilon_target", "clip", "accuracy_mean", "accuracy_std"} - set(getattr(summary, "columns", []))
    if missing:
        raise ValueError(f"summary must be ppml_lab.sweep.summarize's table; missing columns {sorted(missing)}")
    private = summary[summary["epsilon_target"].notna()]
    baseline = summary[summary["epsilon_target"].isna()]
    epsilons = sorted(private["epsilon_target"].unique())
    curves, errors = {}, {}
    for clip, rows in private.groupby("clip"):
        rows = rows.set_index("epsilon_target").reindex(epsilons)
        curves[f"clip C = {clip:g}"] = rows["accuracy_mean"].to_numpy()
        errors[f"clip C = {clip:g}"] = rows["accuracy_std"].to_numpy()
    levels = {baseline_label: float(baseline["accuracy_mean"].iloc[0])} if len(baseline) else None
    plot_curves(ax, epsilons, curves, errors=errors, baselines=levels)
    epsilon_axis(ax)
    ax.set_ylabel("test accuracy (fraction)")
    return ax


@_styled
def plot_roc(ax: Axes, curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
             dp_bounds: Mapping[str, Sequence[float]] | None = None, fpr_bound: Sequence[float] | None = None,
             low: float = 1e-3) -> Axes:
    """Membership-inference ROC curves ``{name: (fpr, tpr)}`` on log-log axes (Carlini et al. 2022's view).

    ``dp_bounds`` maps a label (e.g. "ε = 1 bound") to the highest TPR that differential privacy allows
    at each FPR of ``fpr_bound``, drawn dashed; the chance diagonal is dotted.
    """
    _check_ax(ax)
    _check_mapping(curves, "curves")
    for name, (fpr, tpr) in curves.items():
        _check_same_length(tpr, f"curves[{name!r}] tpr", len(fpr), "false-positive rate")
    if dp_bounds and fpr_bound is None:
        raise ValueError("fpr_bound must be given with dp_bounds (the FPRs at which the bounds are computed)")
    check_positive(low, "low")
    for i, (name, (fpr, tpr)) in enumerate(curves.items()):
        ax.plot(np.maximum(fpr, low / 2), np.maximum(tpr, low / 2), lw=1.6, label=name, color=PALETTE[i % 7])
    grid = np.logspace(np.log10(low), 0, 100)
    ax.plot(grid, grid, ls=":", color="grey", lw=1, label="chance")
    for j, (name, bound) in enumerate((dp_bounds or {}).items()):
        ax.plot(fpr_bound, bound, ls="--", lw=1.3, color=BASELINE_COLORS[j % len(BASELINE_COLORS)], label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, 1)
    ax.set_ylim(low, 1.05)
    label_axes(ax, "false-positive rate (fraction, log scale)", "true-positive rate (fraction, log scale)")
    ax.legend(fontsize=8, loc="lower right")
    return ax
