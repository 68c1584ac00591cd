"""Shared figure helpers so every plot in the lab looks alike.

Compute lives elsewhere: these functions take numbers and draw them. Conventions: axes are
labelled with units, epsilon axes are log-scale, colours come from the Okabe-Ito palette
(readable with colour-vision deficiencies). ``import ppml_lab`` calls ``use_lab_style()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["PALETTE", "BASELINE_COLORS", "use_lab_style", "new_figure", "label_axes", "epsilon_axis",
           "plot_histogram", "plot_curves", "plot_heatmap", "plot_bars", "show_images", "plot_grouped_bars",
           "plot_label_mix", "plot_vote_histograms", "plot_privacy_utility", "plot_dpsgd_frontier", "plot_roc"]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Dashed reference lines (baselines, theoretical bounds): dark enough to read on white.
BASELINE_COLORS = ["#000000", "#666666", "#D55E00", "#CC79A7"]


def use_lab_style() -> None:
    """Set the lab's matplotlib defaults (small, legible, colour-blind-safe)."""
    mpl.rcParams.update({
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
    })


def new_figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None,
               title: str | None = None) -> tuple[Figure, Axes | np.ndarray]:
    """A figure with ``nrows x ncols`` axes in the lab style (width/height in inches)."""
    base_w, base_h = mpl.rcParams["figure.figsize"]
    fig, axes = plt.subplots(nrows, ncols, figsize=(width or base_w * min(ncols, 2) * 0.8 + base_w * 0.2,
                                                    height or base_h * nrows), squeeze=True)
    if title:
        fig.suptitle(title)
    return fig, axes


def label_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Set axis labels (with units, by convention) and an optional title."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def epsilon_axis(ax: Axes, axis: str = "x", label: str = "privacy budget ε (log scale)") -> Axes:
    """Make ``axis`` a log-scale epsilon axis, the lab's convention."""
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


def plot_histogram(ax: Axes, samples: np.ndarray, bins: int | np.ndarray = 60, label: str | None = None,
                   pdf: tuple[np.ndarray, np.ndarray] | None = None, color: str | None = None) -> Axes:
    """Density histogram of ``samples``, optionally with a theoretical density ``pdf=(x, p(x))``."""
    ax.hist(samples, bins=bins, density=True, alpha=0.45, label=label, color=color)
    if pdf is not None:
        ax.plot(*pdf, color=color or "black", lw=1.5)
    return ax


def plot_curves(ax: Axes, x: Sequence[float], curves: Mapping[str, Sequence[float]],
                errors: Mapping[str, Sequence[float]] | None = None, marker: str = "o",
                baselines: Mapping[str, float] | None = None) -> Axes:
    """One line per entry of ``curves`` (optional error bars), and horizontal ``baselines``."""
    for i, (name, y) in enumerate(curves.items()):
        err = None if errors is None else errors.get(name)
        ax.errorbar(x, y, yerr=err, marker=marker, ms=4, capsize=3, label=name, color=PALETTE[i % len(PALETTE)])
    for j, (name, level) in enumerate((baselines or {}).items()):
        ax.axhline(level, ls="--", lw=1.2, color=BASELINE_COLORS[j % len(BASELINE_COLORS)], label=name)
    if curves or baselines:
        ax.legend()
    return ax


def plot_heatmap(ax: Axes, values: np.ndarray, x_labels: Sequence, y_labels: Sequence,
                 xlabel: str, ylabel: str, value_label: str, mark: tuple[int, int] | None = None,
                 fmt: str = "{:.2f}") -> Axes:
    """Annotated heatmap of ``values[row, col]``; ``mark=(row, col)`` outlines one cell."""
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


def plot_bars(ax: Axes, labels: Sequence[str], values: Sequence[float], errors: Sequence[float] | None = None,
              highlight: int | None = None) -> Axes:
    """Bar chart with optional error bars; ``highlight`` colours one bar."""
    colors = [PALETTE[3] if i == highlight else PALETTE[0] for i in range(len(labels))]
    ax.bar(range(len(labels)), values, yerr=errors, color=colors, capsize=3)
    ax.set_xticks(range(len(labels)), labels)
    return ax


def show_images(images: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8,
                size: float = 1.1) -> Figure:
    """Grid of greyscale images (n, 28, 28) or (n, 1, 28, 28) with optional titles."""
    images = np.asarray(images).reshape(len(images), *np.asarray(images).shape[-2:])
    nrows = int(np.ceil(len(images) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    return fig


def plot_grouped_bars(ax: Axes, labels: Sequence[str], series: Mapping[str, Sequence[float]],
                      log: bool = False, fmt: str | None = None) -> Axes:
    """Side-by-side bars: one group per label, one bar per entry of ``series`` (e.g. two
    implementations per operation); ``log`` for values spanning decades; ``fmt`` annotates bars."""
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


def plot_label_mix(ax: Axes, counts: np.ndarray, normalize: bool = True) -> Axes:
    """Stacked bars of each client's examples per label (``counts[client, label]``, e.g. a
    ``federated.label_mix`` DataFrame); ``normalize`` shows shares so small clients stay visible."""
    counts = np.asarray(counts, dtype=float)
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


def plot_vote_histograms(votes: np.ndarray, images: np.ndarray | None = None,
                         titles: Sequence[str] | None = None, size: float = 1.6) -> Figure:
    """One bar chart of teacher votes per class for each query (row of ``votes``), the plurality
    class highlighted, with the query image above it when ``images`` is given (PATE lesson)."""
    votes = np.atleast_2d(np.asarray(votes))
    n_queries, n_classes = votes.shape
    nrows = 1 if images is None else 2
    fig, axes = plt.subplots(nrows, n_queries, figsize=(size * n_queries + 0.6, size * nrows * 1.05),
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


def plot_privacy_utility(ax: Axes, curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                         ylabel: str = "accuracy (fraction)", mark: tuple[float, float] | None = None,
                         styles: Mapping[str, str] | None = None) -> Axes:
    """Privacy-utility curves: for each name, utility against epsilon (log x axis); ``mark`` rings one point."""
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


def plot_dpsgd_frontier(ax: Axes, summary, baseline_label: str = "non-private baseline") -> Axes:
    """DP-SGD accuracy against epsilon, one line per clipping norm with error bars over seeds, the baseline
    dashed. ``summary`` is :func:`ppml_lab.sweep.summarize`'s table (NaN epsilon marks baseline rows)."""
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


def plot_roc(ax: Axes, curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
             dp_bounds: Mapping[str, Sequence[float]] | None = None, fpr_bound: Sequence[float] | None = None,
             low: float = 1e-3) -> Axes:
    """Membership-inference ROC curves ``{name: (fpr, tpr)}`` on log-log axes (Carlini et al. 2022's view).

    ``dp_bounds`` maps a label (e.g. "ε = 1 bound") to the highest TPR that differential privacy allows
    at each FPR of ``fpr_bound``, drawn dashed; the chance diagonal is dotted.
    """
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


# --- lesson 05 ---
def integer_ticks(ax: Axes, axis: str = "x") -> Axes:
    """Whole-number ticks only on ``axis`` ("x" or "y"), for counts such as federated rounds."""
    from matplotlib.ticker import MaxNLocator

    if axis not in ("x", "y"):
        raise ValueError(f"axis must be one of ['x', 'y'], got {axis!r}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    return ax


__all__ += ["integer_ticks"]
