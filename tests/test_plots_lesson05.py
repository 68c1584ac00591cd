"""Lesson 05's plotting helper (appended to ``ppml_lab.plots``)."""

import pytest

from ppml_lab import plots


def test_integer_ticks_keeps_only_whole_rounds():
    fig, ax = plots.new_figure()
    ax.plot([0, 1, 2, 3], [0.1, 0.5, 0.7, 0.8])
    plots.integer_ticks(ax)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 0 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks)
    with pytest.raises(ValueError, match="axis must be one of"):
        plots.integer_ticks(ax, axis="z")
