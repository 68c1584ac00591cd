"""Small helpers for presenting the package inside a lesson."""

from __future__ import annotations

import inspect
from typing import Any

from IPython.display import Markdown

__all__ = ["show_source"]


def show_source(obj: Any) -> Markdown:
    """The source of a package function as a highlighted code block, so a lesson can show the
    real implementation instead of a copy that could drift from it."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj) or inspect.ismodule(obj)):
        raise TypeError(f"obj must be a function, class, method or module of the package, got {type(obj).__name__}")
    return Markdown(f"```python\n{inspect.getsource(obj).rstrip()}\n```")
