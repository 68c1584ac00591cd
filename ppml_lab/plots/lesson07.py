"""Lesson 07's figure: what a Paillier operation costs at one key size."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from .charts import plot_grouped_bars
from .core import _styled, label_axes, new_figure

__all__ = ["plot_key_size_costs"]


@_styled
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
