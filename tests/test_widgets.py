import base64

import matplotlib.pyplot as plt
import pytest

from ppml_lab import widgets


def test_linked_plot_caches_and_redraws():
    calls = []

    def compute(epsilon):
        calls.append(epsilon)
        return 1.0 / epsilon

    def draw(result, epsilon):
        fig, ax = plt.subplots()
        ax.set_title(f"{epsilon:.2f} -> {result:.2f}")
        return fig

    slider = widgets.epsilon_slider()
    plot = widgets.LinkedPlot(compute, draw, {"epsilon": slider})
    first = plot.output.outputs[0]["data"]["image/png"]
    assert base64.b64decode(first).startswith(b"\x89PNG")
    slider.value = 2.0
    assert plot.output.outputs[0]["data"]["image/png"] != first
    slider.value = 1.0  # back to a value seen before: served from the cache
    assert calls == [1.0, 2.0]
    assert plot.computations == 2
    assert plot.output.outputs[0]["data"]["image/png"] == first
    assert repr(plot) == "LinkedPlot(controls=['epsilon'])"


def test_displayed_widget_carries_its_current_figure_as_png():
    """Without a kernel (GitHub, nbviewer, a PDF) the cell still shows the figure for the current values."""
    slider = widgets.epsilon_slider(value=1.0)

    def draw(result, epsilon):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, result])
        return fig

    plot = widgets.LinkedPlot(lambda epsilon: epsilon, draw, {"epsilon": slider})
    bundle = plot._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"] == plot.output.outputs[0]["data"]["image/png"]
    slider.value = 2.0
    assert plot._repr_mimebundle_()["image/png"] == plot.output.outputs[0]["data"]["image/png"]


def test_log_slider_range_and_validation():
    slider = widgets.epsilon_slider()
    assert (10 ** slider.min, 10 ** slider.max) == pytest.approx((0.01, 10.0))
    with pytest.raises(ValueError, match="low must be a finite number > 0"):
        widgets.log_slider("x", 0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="0 < low < high"):
        widgets.log_slider("x", 1.0, 0.5, 0.7)
    with pytest.raises(ValueError, match=r"value must be in \[0.1, 1.0\], got 2"):
        widgets.log_slider("x", 0.1, 1.0, 2)
