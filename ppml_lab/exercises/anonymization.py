"""Checks for the exercises of ``notebooks/08_pii_and_anonymization.ipynb``."""

from __future__ import annotations

import re
from collections.abc import Callable
from numbers import Integral

import numpy as np
import pandas as pd

from ..validation import ParameterTypeError
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_k_anonymity", "check_employee_id_pattern"]


def _tables(seed: int = 808) -> list[tuple[pd.DataFrame, list[str]]]:
    """Random small tables (seeded) whose classes hold 2 to 6 rows, with their quasi-identifiers."""
    rng = np.random.default_rng(seed)
    combos = [(z, a, s) for z in ("021**", "024**", "100**") for a in ("20-29", "30-39", "40-49", "50-59")
              for s in ("F", "M")]
    tables = []
    for n_classes in (4, 7, 11):
        chosen = rng.choice(len(combos), size=n_classes, replace=False)
        sizes = rng.integers(2, 7, size=n_classes)
        rows = [combos[c] for c, size in zip(chosen, sizes) for _ in range(size)]
        table = pd.DataFrame(rows, columns=["zip", "age", "sex"])
        table["diagnosis"] = rng.choice(["flu", "asthma", "HIV"], len(table))
        tables.append((table.sample(frac=1.0, random_state=int(rng.integers(1000))).reset_index(drop=True),
                       ["zip", "age", "sex"]))
    return tables


def check_k_anonymity(k_anonymity: Callable[[pd.DataFrame, list[str]], int]) -> Feedback:
    """Exercise 1: the k of a table, i.e. the size of its smallest equivalence class over the quasi-identifiers."""
    if not callable(k_anonymity):
        raise ParameterTypeError(f"k_anonymity must be your function (a callable), got {type(k_anonymity).__name__}")
    for table, qis in _tables():
        sizes = table.groupby(qis).size()
        answer, problem = call_safely(k_anonymity, table.copy(), list(qis))
        if problem is not None:
            return problem
        if answer is None:
            return not_yet("your function returned None: return k, one integer.")
        if isinstance(answer, bool) or not isinstance(answer, (Integral, np.integer)):
            return not_yet(f"return one integer (k), not a {type(answer).__name__}.")
        answer = int(answer)
        if answer == int(sizes.min()):
            continue
        if answer in {int(table.groupby(q).size().min()) for q in qis}:
            return not_yet("you grouped by one column; an equivalence class shares the values of all the "
                           "quasi-identifiers at once.")
        if answer == len(sizes):
            return not_yet("that is the number of equivalence classes; k is the size of the smallest one.")
        if answer == int(sizes.max()):
            return not_yet("that is the size of the largest class; an attacker targets the smallest one.")
        if answer == int(table.groupby(qis + ["diagnosis"]).size().min()):
            return not_yet("you grouped by the sensitive attribute too; only the quasi-identifiers define a class.")
        return not_yet(f"on a table of {len(table)} rows your function returned {answer}, which is not the size "
                       "of its smallest equivalence class.")
    return correct("k is the size of the smallest equivalence class, on every random table tried.")


_HELD_OUT_IDS = ["EMP-40213", "EMP-99871", "EMP-10000"]
_NOT_IDS = ["EMP-1234", "EMP-123456", "XEMP-12345", "EMP12345", "TEMP-55555"]


def check_employee_id_pattern(pattern: str) -> Feedback:
    """Exercise 2: a regular expression that finds employee IDs ``EMP-`` + five digits, and nothing else."""
    if not isinstance(pattern, str):
        return not_yet(f"answer must be a regular expression as a str, got {type(pattern).__name__}.")
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return not_yet(f"that is not a valid regular expression: {error}.")
    if not pattern:
        return not_yet("the pattern is empty: write a regular expression.")
    for identifier in _HELD_OUT_IDS:
        text = f"Badge {identifier} opened the door."
        found = [m.group(0) for m in compiled.finditer(text)]
        if identifier not in found:
            return not_yet(f"it does not find {identifier!r} in {text!r} (found {found}).")
    for other in _NOT_IDS:
        found = [m.group(0) for m in compiled.finditer(f"ref {other} end")]
        if found:
            if other in ("EMP-1234", "EMP-123456"):
                return not_yet(f"it finds {found} in {other!r}: an ID has exactly five digits; bound the digits "
                               "and what follows them.")
            return not_yet(f"it finds {found} inside {other!r}: an ID starts a word and has a hyphen; anchor "
                           "the pattern at a word boundary.")
    return correct("it finds every held-out ID and none of the look-alikes.")
