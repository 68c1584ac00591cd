"""Lesson 06's figures: the four rounds of secure aggregation, and what one round costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .charts import plot_bars
from .core import PALETTE, _styled, _subplots, label_axes, new_figure

__all__ = ["plot_secagg_rounds", "plot_secagg_round_cost"]


@_styled
def plot_secagg_rounds() -> Figure:
    """The four rounds of Bonawitz et al. 2017's secure aggregation as a message diagram (notebook 06).

    Three lanes: one client u, the server, the other clients v. Each arrow is a message, labelled with
    what it carries; the right margin says what the server learns in that round.
    """
    fig, ax = _subplots(figsize=(11, 6.2))
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


@_styled
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
