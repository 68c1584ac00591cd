import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from ppml_lab import plots


def test_importing_the_lab_leaves_matplotlibs_settings_alone():
    code = ("import matplotlib; before = dict(matplotlib.rcParams); import ppml_lab, ppml_lab.plots; "
            "changed = sorted(k for k, v in matplotlib.rcParams.items() if before[k] != v); "
            "assert not changed, f'import ppml_lab changed rcParams {changed}'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_lab_figures_carry_the_lab_style_and_your_figures_keep_yours():
    before = dict(matplotlib.rcParams)
    fig, ax = plots.new_figure()
    assert fig.dpi == 80 and not ax.spines["top"].get_visible()
    line, = ax.plot([0, 1], label="a")  # a legend and a title added afterwards, as a notebook cell does
    assert not ax.legend().get_frame_on() and ax.set_title("t").get_fontsize() == 11
    assert line.get_color() == plots.PALETTE[0]
    assert dict(matplotlib.rcParams) == before
    yours, your_ax = plt.subplots()
    assert yours.dpi == matplotlib.rcParams["figure.dpi"]
    assert your_ax.legend(handles=[line]).get_frame_on() == matplotlib.rcParams["legend.frameon"]
    with plots.style():
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plots.PALETTE[0]
    plt.close("all")


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


def test_style_puts_back_only_its_own_keys():
    """Jupyter's inline backend turns interactive mode on with the first figure, inside a lab function:
    leaving the style must not turn it off again (the figure would not be shown)."""
    was_interactive = matplotlib.is_interactive()
    try:
        with plots.style():
            matplotlib.interactive(not was_interactive)
        assert matplotlib.is_interactive() is (not was_interactive)
    finally:
        matplotlib.interactive(was_interactive)
