"""Lesson 08's figure draws from the sweeps' DataFrames."""

from __future__ import annotations

import pandas as pd

from ppml_lab import plots


def test_tradeoff_figure_has_two_panels():
    k_sweep = pd.DataFrame({"k": [1, 2, 10], "reidentified": [1.0, 0, 0], "guess_rate": [1.0, 0.4, 0.07],
                            "query_error": [0.0, 0.9, 5.3]})
    dp_sweep = pd.DataFrame({"epsilon": [0.1, 1.0], "query_error": [36.0, 2.9], "query_error_std": [4.0, 0.3]})
    fig = plots.plot_anonymity_tradeoff(k_sweep, dp_sweep, 2, 1.0)
    assert len(fig.axes) == 2
