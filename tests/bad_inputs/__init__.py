"""The bad-input table: for every public function and class of ``ppml_lab``, calls that make no sense.

Each file here (one per lesson or group of modules) defines ``TABLE``, a dict from a public name
(``"ppml_lab.mechanisms.laplace_mechanism"``) to a list of :class:`Bad` cases, or to :func:`exempt`
with the reason the name takes no input worth refusing (a constant, an exception class). ``tests/test_bad_inputs.py``
collects every module's ``__all__`` and fails when a public name is missing from the table; each case must raise
``ValueError`` or ``TypeError`` whose message names ``param``, and leave ``state()`` (when given) unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True)
class Bad:
    """One bad call: ``call()`` must raise ValueError/TypeError naming ``param``; ``state()`` must not change."""

    param: str
    call: Callable[[], Any]
    why: str = ""
    state: Callable[[], Any] | None = None


@dataclass(frozen=True)
class Exempt:
    """A public name with no input to refuse, and why."""

    reason: str


def exempt(reason: str) -> Exempt:
    """Mark a public name as taking no input worth refusing (say why)."""
    return Exempt(reason)


def numbers(param: str, make: Callable[[Any], Any], *, allow_zero: bool = False,
            allow_negative: bool = False) -> list[Bad]:
    """The usual bad numbers for ``param``: NaN, +inf, a string, None, and zero / negative where they make no sense.

    ``make(value)`` performs the call with ``param=value`` and every other argument valid.
    """
    values: list[tuple[Any, str]] = [(NAN, "NaN"), (INF, "inf"), ("1", "a string"), (None, "None")]
    if not allow_zero:
        values.append((0, "zero"))
    if not allow_negative:
        values.append((-1, "negative"))
    return [Bad(param, (lambda v=v: make(v)), why) for v, why in values]
