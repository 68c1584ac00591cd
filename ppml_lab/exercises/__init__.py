"""Automatic feedback for the notebooks' exercises.

Each lesson has a module here (``exercises.laplace`` for notebook 01, ...) whose ``check_*``
functions take the student's answer and return a :class:`Feedback` that says *what* is wrong,
not only that it is. Feedback renders as a coloured box in Jupyter and as one line of text
elsewhere (and in nbval's comparison).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..validation import check_finite, check_nonnegative

__all__ = ["Feedback", "correct", "not_yet", "check_close", "first_failure", "call_safely", "call_for_number", "graded"]


def __getattr__(name: str):
    """``lab.exercises.laplace`` and friends load on first use."""
    from .. import import_submodule

    return import_submodule(__name__, name)


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: ``passed`` and a message for the student."""

    passed: bool
    message: str

    def __post_init__(self) -> None:
        if not isinstance(self.passed, bool):
            raise TypeError(f"passed must be True or False, got {self.passed!r}")
        _check_message(self.message)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"{'✅ Correct' if self.passed else '❌ Not yet'}: {self.message}"

    def _repr_html_(self) -> str:
        colour = "#e6f4ea" if self.passed else "#fdecea"
        head = "✅ Correct" if self.passed else "❌ Not yet"
        return (f'<div style="background:{colour};padding:6px 10px;border-radius:4px">'
                f"<b>{head}:</b> {html.escape(self.message)}</div>")


def _check_message(message: str) -> None:
    if not isinstance(message, str) or not message.strip():
        raise TypeError(f"message must be a non-empty str for the student, got {message!r}")


def correct(message: str = "well done.") -> Feedback:
    """Feedback for a right answer."""
    return Feedback(True, message)


def not_yet(message: str) -> Feedback:
    """Feedback for an answer that is not right yet; ``message`` says what is wrong."""
    return Feedback(False, message)


def check_close(value: Any, expected: float, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Whether ``value`` is a real number within tolerance of ``expected`` (a student's wrong type is just False)."""
    check_finite(expected, "expected")
    check_nonnegative(rel_tol, "rel_tol")
    check_nonnegative(abs_tol, "abs_tol")
    try:
        return math.isclose(float(value), expected, rel_tol=rel_tol, abs_tol=abs_tol)
    except (TypeError, ValueError):
        return False


def first_failure(checks: Iterable[tuple[bool, str]]) -> Feedback | None:
    """The first failing (condition, message) pair as feedback, or None if all hold."""
    if isinstance(checks, (str, bytes)) or not isinstance(checks, Iterable):
        raise TypeError(f"checks must be an iterable of (condition, message) pairs, got {type(checks).__name__}")
    for ok, message in checks:
        if not ok:
            return not_yet(message)
    return None


def call_for_number(function: Callable[..., Any], *args: Any, name: str, what: str,
                    convert: Callable[[Any], Any] = float) -> tuple[Any, Feedback | None]:
    """Call the student's function for a number: (the answer as ``convert`` makes it, None) or (None, feedback)."""
    answer, problem = call_safely(function, *args)
    if problem is not None:
        return None, problem
    if answer is None:
        return None, not_yet(f"{name} returned None: return {what}.")
    try:
        return convert(answer), None
    except (TypeError, ValueError):
        return None, not_yet(f"return {what} (as a number), got {answer!r}.")


def call_safely(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Feedback | None]:
    """Call the student's function; turn an exception into feedback instead of a traceback."""
    if not callable(function):
        raise TypeError(f"function must be the student's function (a callable), got {type(function).__name__}")
    try:
        return function(*args, **kwargs), None
    except NotImplementedError:
        return None, not_yet("the function still raises NotImplementedError: replace it with your code.")
    except Exception as error:  # noqa: BLE001 - any error in student code becomes feedback
        return None, not_yet(f"calling it raised {type(error).__name__}: {error}")


def graded(feedback: Feedback) -> Feedback:
    """Show ``feedback``; under nbgrader's autograder (or Validate) a check that did not pass fails the cell.

    An exercise's graded cell is ``lab.exercises.graded(lab.exercises.<lesson>.check_...(answer))``: a student
    running the notebook sees the feedback and no error, while ``nbgrader autograde`` (which sets
    ``NBGRADER_EXECUTION``) scores the cell 0 and records the feedback as the failure message.
    """
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be the Feedback a lab.exercises check returns, got {type(feedback).__name__}")
    if not feedback.passed and os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate"):
        raise AssertionError(f"Not yet: {feedback.message}")
    return feedback
