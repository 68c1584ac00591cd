import matplotlib
import numpy as np

import ppml_lab  # noqa: F401  (applies the lab style)
from ppml_lab import plots


def test_style_is_applied_on_import():
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plots.PALETTE[0]


def test_helpers_draw_what_they_are_given():
    fig, (a, b) = plots.new_figure(ncols=2, title="t")
    plots.plot_curves(a, [0.1, 1, 10], {"acc": [0.5, 0.7, 0.9]}, errors={"acc": [0.01, 0.02, 0.01]},
                      baselines={"non-private": 0.95})
    plots.epsilon_axis(a)
    assert a.get_xscale() == "log" and "ε" in a.get_xlabel()
    assert {t.get_text() for t in a.get_legend().get_texts()} == {"acc", "non-private"}
    plots.plot_heatmap(b, np.arange(6.0).reshape(2, 3), [1, 2, 3], ["a", "b"], "clip", "ε", "accuracy", mark=(1, 2))
    assert len(b.patches) == 1 and len(b.texts) == 6
    fig = plots.show_images(np.zeros((3, 1, 28, 28)), titles=["0", "1", "2"], ncols=2)
    assert len(fig.axes) == 4
