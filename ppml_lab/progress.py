"""Progress bars that are live in a kernel and finished (one summary line) in a committed notebook.

A live kernel shows ``tqdm.auto`` bars for long work. A batch run (``make test``, ``make notebooks``) sets
``PPML_LAB_PROGRESS=summary``: then nothing is drawn while the work runs, and one line such as
``training 8 shadow models: 8/8 done`` is printed when it ends. A committed notebook so shows a finished
state that reads the same on GitHub and on every machine (a tqdm widget's text is always ``0%``), and nbval
compares that line like any other output. ``PPML_LAB_PROGRESS=off`` prints nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from .validation import check_positive_int

__all__ = ["MODES", "progress_mode", "Progress", "progress"]

MODES = ("bar", "summary", "off")


def progress_mode() -> str:
    """The mode from ``PPML_LAB_PROGRESS`` (``bar`` when unset or unknown)."""
    mode = os.environ.get("PPML_LAB_PROGRESS", "bar").strip().lower()
    return mode if mode in MODES else "bar"


class Progress:
    """A progress bar over ``iterable`` or to ``total`` (call :meth:`update`), closed by :meth:`close`."""

    def __init__(self, iterable: Iterable | None = None, *, total: int | None = None, desc: str = "",
                 initial: int = 0, unit: str = "it", disable: bool = False) -> None:
        if iterable is not None and not isinstance(iterable, Iterable):
            raise TypeError(f"iterable must be iterable or None, got {type(iterable).__name__}")
        if total is not None:
            check_positive_int(total, "total", minimum=0)
        check_positive_int(initial, "initial", minimum=0)
        if not isinstance(desc, str):
            raise TypeError(f"desc must be a str, got {desc!r}")
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)  # type: ignore[arg-type]
        self.iterable, self.total, self.desc, self.n = iterable, total, desc, initial
        self.mode = "off" if disable else progress_mode()
        self._bar: Any = None
        self._closed = False
        if self.mode == "bar":
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, initial=initial, unit=unit, leave=False)

    def __iter__(self) -> Iterator:
        if self.iterable is None:
            raise TypeError("iterable must be given to iterate over a Progress")
        try:
            for item in self.iterable:
                yield item
                self.update()
        finally:
            self.close()

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` steps."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Finish: close the live bar, or print the one-line summary (once)."""
        if self._closed:
            return
        self._closed = True
        if self._bar is not None:
            self._bar.close()
        elif self.mode == "summary":
            print(f"{self.desc}: {self.n}/{self.total if self.total is not None else self.n} done", flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress(iterable: Iterable, desc: str, disable: bool = False) -> Progress:
    """Iterate over ``iterable`` with a progress bar (a live bar, a summary line or nothing; see module doc)."""
    if iterable is None:
        raise TypeError("iterable must be iterable, got None")
    return Progress(iterable, desc=desc, disable=disable)
