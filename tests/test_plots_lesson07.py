"""Lesson 07's plot: the key-size costs drawn from paillier.key_size_costs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ppml_lab import paillier, plots


def test_plot_key_size_costs_draws_one_bar_per_implementation_and_operation():
    timings = pd.DataFrame([{"implementation": name, "n_bits": 1024, "keygen": 5.0, "encrypt": 600.0,
                             "add": 2e5, "decrypt": 2000.0} for name in ("teaching", "phe")])
    figure = plots.plot_key_size_costs(paillier.key_size_costs(timings, 1024), 1024)
    ax = figure.axes[0]
    assert len(ax.patches) == 8 and ax.get_yscale() == "log"
    assert "1024 bits" in ax.get_title() and "32x" in ax.get_title()
    plt.close(figure)
