"""Lesson 03's plotting helpers (ppml_lab/plots/lesson03.py) draw what they are given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from ppml_lab import plots


def _frame():
    rows = []
    for s, setting in enumerate(["non-private", "clip only", "ε = 1"]):
        for attack in ["loss", "LiRA"]:
            value = 0.1 / (s + 1)
            rows.append({"setting": setting, "attack": attack, "train accuracy": 1.0 - s / 10,
                         "test accuracy": 0.9 - s / 10, "AUC": 0.6, "AUC low": 0.55, "AUC high": 0.65,
                         "TPR@0.1%FPR": value, "TPR@0.1%FPR low": value / 2, "TPR@0.1%FPR high": value * 2})
    return pd.DataFrame(rows)


def test_attack_comparison_has_one_column_per_setting():
    fig = plots.plot_attack_comparison(_frame())
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["non-private", "clip only", "ε = 1"]
    assert fig.axes[1].get_yscale() == "log"
    plt.close(fig)


def test_audit_bounds_draw_the_claims_and_the_ceiling():
    fig, ax = plots.new_figure()
    plots.plot_audit_bounds(ax, [1, 2, 4], [0.0, 0.1, 0.5], broken=(2.0, 3.5), ceiling=3.8)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any("3.80" in label for label in labels) and any("broken" in label for label in labels)
    assert ax.get_xscale() == "log"
    plt.close(fig)
