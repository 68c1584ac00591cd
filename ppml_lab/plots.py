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

from .validation import ParameterTypeError, check_array, check_one_of, check_positive, check_positive_int

__all__ = ["PALETTE", "BASELINE_COLORS", "use_lab_style", "new_figure", "label_axes", "epsilon_axis",
           "plot_histogram", "plot_curves", "plot_heatmap", "plot_bars", "show_images", "plot_grouped_bars",
           "plot_label_mix", "plot_vote_histograms", "plot_privacy_utility", "plot_dpsgd_frontier", "plot_roc"]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Dashed reference lines (baselines, theoretical bounds): dark enough to read on white.
BASELINE_COLORS = ["#000000", "#666666", "#D55E00", "#CC79A7"]


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
    check_positive_int(ncols, "ncols")
    check_positive_int(nrows, "nrows")
    for value, name in ((width, "width"), (height, "height")):
        if value is not None:
            check_positive(value, name)
    base_w, base_h = mpl.rcParams["figure.figsize"]
    fig, axes = plt.subplots(nrows, ncols, figsize=(width or base_w * min(ncols, 2) * 0.8 + base_w * 0.2,
                                                    height or base_h * nrows), squeeze=True)
    if title:
        fig.suptitle(title)
    return fig, axes


def label_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Set axis labels (with units, by convention) and an optional title."""
    _check_ax(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


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


# --- lesson 07 ---

def plot_key_size_costs(costs: Mapping[str, Mapping], n_bits: int) -> Figure:
    """Milliseconds per Paillier operation, one bar per implementation, on a log axis, from
    ``paillier.key_size_costs`` (the draw function of lesson 07's key-size slider)."""
    if not isinstance(costs, Mapping) or not {"ms", "expansion"} <= set(costs):
        raise TypeError(f"costs must be the dict of paillier.key_size_costs (keys 'ms', 'expansion'), "
                        f"got {type(costs).__name__}")
    fig, ax = new_figure()
    operations = ["keygen", "encrypt", "add", "decrypt"]
    plot_grouped_bars(ax, operations, {name: [ms[op] for op in operations] for name, ms in costs["ms"].items()},
                      log=True, fmt="{:.2g}")
    label_axes(ax, "operation", "time per operation (ms, log scale)",
               f"n = {n_bits} bits: a ciphertext is {costs['expansion']:.0f}x a 64-bit number")
    return fig


__all__ += ["plot_key_size_costs"]


# --- lesson 06 ---

def plot_secagg_rounds() -> Figure:
    """The four rounds of Bonawitz et al. 2017's secure aggregation as a message diagram (notebook 06).

    Three lanes: one client u, the server, the other clients v. Each arrow is a message, labelled with
    what it carries; the right margin says what the server learns in that round.
    """
    fig, ax = plt.subplots(figsize=(11, 6.2))
    lanes = {"client u": 0.0, "server": 1.0, "other clients v": 2.0}
    rounds = [
        ("round 0 · AdvertiseKeys", [(0, 1, "public keys c_u, s_u"), (1, 2, "all public keys (unsigned!)")],
         "public keys"),
        ("round 1 · ShareKeys", [(0, 1, "Enc(c_uv; shares of s_u and b_u), one per v"),
                                 (1, 2, "forwards each ciphertext")],
         "ciphertexts it cannot open"),
        ("round 2 · MaskedInputCollection", [(0, 1, "y_u = x_u + PRG(b_u) + Σ ±PRG(s_uv)"),
                                       (2, 1, "y_v from every v still online")],
         "uniform noise; U2 = who arrived"),
        ("round 3 · Unmasking", [(1, 2, "U2: who arrived"),
                           (2, 1, "per client: a share of b (arrived) or of s (dropped), never both")],
         "Σ y − Σ PRG(b) ∓ dropped masks = Σ x"),
    ]
    band = 1.0
    for i, (name, messages, learns) in enumerate(rounds):
        top = -i * band
        ax.axhspan(top - band, top, color=PALETTE[i % 4], alpha=0.06, lw=0)
        ax.text(-1.05, top - band / 2, name.replace(" · ", "\n"), fontsize=10, fontweight="bold", va="center")
        ax.text(2.15, top - band / 2, "server learns:\n" + learns, fontsize=8.5, va="center", color="#333333")
        for j, (start, end, label) in enumerate(messages):
            y = top - 0.42 - 0.33 * j
            ax.annotate("", xy=(end, y), xytext=(start, y),
                        arrowprops={"arrowstyle": "-|>", "color": PALETTE[0] if start < end else PALETTE[3], "lw": 1.4})
            ax.text((start + end) / 2, y + 0.05, label, ha="center", va="bottom", fontsize=8.5,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    for name, x in lanes.items():
        ax.plot([x, x], [-len(rounds) * band, 0.25], color="#555555", lw=1.0, ls="--", zorder=0)
        ax.text(x, 0.32, name, ha="center", va="bottom", fontsize=10, fontweight="bold")
    ax.set_xlim(-1.1, 3.45)
    ax.set_ylim(-len(rounds) * band - 0.05, 0.6)
    ax.axis("off")
    ax.set_title("Secure aggregation, one round (Bonawitz et al. 2017): four message rounds")
    return fig


def plot_secagg_round_cost(cost: Mapping[str, object], round_names: Sequence[str] = (
        "AdvertiseKeys", "ShareKeys", "MaskedInput", "Unmasking")) -> Figure:
    """What one round cost (``ppml_lab.secure_aggregation.round_cost``): kB each finishing client sent per
    round, and the server's and a client's time; the title says whether the sum was recovered."""
    keys = {"n_clients", "threshold", "dropouts", "dropped_before_masking", "dropped_after_masking", "recovered",
            "reason", "bytes_by_round", "server_seconds", "client_seconds"}
    if not isinstance(cost, Mapping) or not keys <= set(cost):
        raise ValueError(f"cost must be what secure_aggregation.round_cost returns (a mapping with {sorted(keys)}), "
                         f"got {cost!r:.80}")
    if len(round_names) != 4 or len(cost["bytes_by_round"]) != 4:
        raise ValueError(f"round_names and cost['bytes_by_round'] must both have 4 entries (one per round), got "
                         f"{len(round_names)} and {len(cost['bytes_by_round'])}")
    fig, (left, right) = new_figure(ncols=2, width=10, height=3.4)
    sent_kb = np.asarray(cost["bytes_by_round"], dtype=float) / 1000
    plot_bars(left, list(round_names), sent_kb)
    label_axes(left, "protocol round", "kB sent per finishing client",
               f"{sum(sent_kb):.1f} kB per client in total")
    left.tick_params(axis="x", labelsize=8)
    plot_bars(right, ["server", "one client (mean)"], [cost["server_seconds"], cost["client_seconds"]], highlight=0)
    label_axes(right, "party", "wall time (s, this machine, varies)", "time for the whole round")
    status = "sum recovered" if cost["recovered"] else "sum NOT recovered: " + str(cost["reason"]).split(":")[0]
    fig.suptitle(f"{cost['n_clients']} clients, threshold {cost['threshold']}, {cost['dropouts']} dropped "
                 f"({len(cost['dropped_before_masking'])} before masking, {len(cost['dropped_after_masking'])} "
                 f"after)\n{status}", color="black" if cost["recovered"] else PALETTE[3], fontsize=10)
    return fig


__all__ += ["plot_secagg_rounds", "plot_secagg_round_cost"]


# --- lesson 03 ---
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


def plot_audit_bounds(ax: Axes, claimed: Sequence[float], empirical: Sequence[float], *,
                      broken: tuple[float, float] | None = None, ceiling: float | None = None) -> Axes:
    """Audit lower bounds against the claimed ε (log axis): the correct runs, a broken one, the audit's ceiling."""
    from .validation import check_array, check_nonnegative

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


__all__ += ["plot_attack_comparison", "plot_audit_bounds"]


# --- lesson 05 ---
def integer_ticks(ax: Axes, axis: str = "x") -> Axes:
    """Whole-number ticks only on ``axis`` ("x" or "y"), for counts such as federated rounds."""
    from matplotlib.ticker import MaxNLocator

    if axis not in ("x", "y"):
        raise ValueError(f"axis must be one of ['x', 'y'], got {axis!r}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    return ax


__all__ += ["integer_ticks"]
