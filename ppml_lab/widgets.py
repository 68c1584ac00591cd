"""Wire sliders to a compute function and a plot function, with a cache.

A widget holds no logic of its own: ``compute(**params)`` returns numbers (callable without
any widget), ``draw(result, **params)`` returns a matplotlib figure, and :class:`LinkedPlot`
calls them when a control moves. Results and rendered figures are cached by the control values,
so moving a slider back to a value already seen redraws at once.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .plots import style
from .validation import ParameterTypeError, check_finite, check_positive, check_positive_int

__all__ = ["epsilon_slider", "log_slider", "figure_to_display_data", "LinkedPlot"]


def log_slider(description: str, low: float, high: float, value: float, steps_per_decade: int = 10,
               readout_format: str = ".3g") -> widgets.FloatLogSlider:
    """A base-10 log slider from ``low`` to ``high`` (positive numbers)."""
    import math

    if not isinstance(description, str):
        raise ParameterTypeError(f"description must be a str, got {description!r}")
    low, high = check_positive(low, "low"), check_positive(high, "high")
    if not low < high:
        raise ValueError(f"low and high must satisfy 0 < low < high, got low={low!r}, high={high!r}")
    if not low <= check_finite(value, "value") <= high:
        raise ValueError(f"value must be in [{low}, {high}], got {value!r}")
    steps_per_decade = check_positive_int(steps_per_decade, "steps_per_decade")
    return widgets.FloatLogSlider(
        value=value, base=10, min=math.log10(low), max=math.log10(high), step=1 / steps_per_decade,
        description=description, readout_format=readout_format, continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
    )


def epsilon_slider(low: float = 0.01, high: float = 10.0, value: float = 1.0) -> widgets.FloatLogSlider:
    """The lab's epsilon slider: log scale, 0.01 to 10 by default."""
    return log_slider("privacy budget ε", low, high, value)


def figure_to_display_data(figure: Any) -> dict[str, str]:
    """A figure as a Jupyter display bundle (base64 PNG plus a text fallback)."""
    if not isinstance(figure, Figure):
        raise ParameterTypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    buffer = io.BytesIO()
    with style():  # the lab's resolution (savefig.dpi), now that importing the lab leaves rcParams alone
        figure.savefig(buffer, format="png")
    width, height = figure.get_size_inches() * figure.dpi
    return {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "text/plain": f"<Figure size {width:.0f}x{height:.0f} with {len(figure.axes)} Axes>"}


class LinkedPlot(widgets.VBox):
    """Controls above a figure that is recomputed (or fetched from the cache) when a control moves.

    ``compute(**params)`` -> result and ``draw(result, **params)`` -> Figure, where params are
    the controls' current values by name. ``update()`` can be called directly (tests do).
    """

    def __init__(self, compute: Callable[..., Any], draw: Callable[..., Any],
                 controls: Mapping[str, widgets.ValueWidget]) -> None:
        for name, function in (("compute", compute), ("draw", draw)):
            if not callable(function):
                raise ParameterTypeError(f"{name} must be a function, got {type(function).__name__}")
        if not isinstance(controls, Mapping) or not controls:
            raise ValueError(f"controls must be a non-empty mapping of name -> ipywidgets control, got {controls!r}")
        bad = [name for name, control in controls.items() if not isinstance(control, widgets.ValueWidget)]
        if bad:
            raise ParameterTypeError(f"controls must map names to ipywidgets value controls; not controls: {bad}")
        self._compute, self._draw, self.controls = compute, draw, dict(controls)
        self.cache: dict[tuple, Any] = {}
        self.rendered: dict[tuple, dict[str, str]] = {}
        self.output = widgets.Output()
        self.last_seconds = 0.0
        self.computations = 0
        for control in self.controls.values():
            control.observe(lambda _change: self.update(), names="value")
        super().__init__([widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                          self.output])
        self.update()

    @property
    def params(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def result(self) -> Any:
        """The compute result for the current control values, from the cache when seen before."""
        key = tuple(sorted(self.params.items()))
        if key not in self.cache:
            self.cache[key] = self._compute(**self.params)
            self.computations += 1
        return self.cache[key]

    def update(self) -> None:
        """Recompute (or fetch) and redraw into the output area; a rendered figure is cached too."""
        start = time.perf_counter()
        key = tuple(sorted(self.params.items()))
        if key not in self.rendered:
            figure = self._draw(self.result(), **self.params)
            self.rendered[key] = figure_to_display_data(figure)
            plt.close(figure)
        # Replacing the Output widget's state (rather than printing inside ``with output:``) works
        # the same with and without a browser, so nbval and JupyterLab see the same cell output.
        self.output.outputs = ({"output_type": "display_data", "data": self.rendered[key], "metadata": {}},)
        self.last_seconds = time.perf_counter() - start

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The live widget, plus the current figure as ``image/png`` for readers without a kernel.

        JupyterLab shows the widget; GitHub, nbviewer, VS Code without the widget manager and a PDF
        export show the image (the figure at the controls' values when the cell ran).
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["image/png"] = self.rendered[tuple(sorted(self.params.items()))]["image/png"]
        return bundle

    def __repr__(self) -> str:  # short and stable: nbval compares the text/plain of a displayed widget
        return f"LinkedPlot(controls={list(self.controls)})"
