"""Generalisation hierarchies for the quasi-identifiers ZIP, birth date and sex (Sweeney 2002; Samarati 2001).

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. A generalised value is a string a reader can check by eye:
``"021**"`` (a ZIP prefix), ``"1943-06"`` / ``"1943"`` / ``"194*"`` (a birth month, year, decade), a range
``"lo..hi"`` (Mondrian's output, inclusive, compared as text: ISO dates and 5-digit ZIPs sort as text), or
``"*"`` (suppressed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..validation import ParameterTypeError, check_positive_int
from ._checks import check_columns, check_table

__all__ = ["ZIP_LEVELS", "BIRTH_DATE_LEVELS", "SEX_LEVELS", "generalize_zip", "generalize_birth_date",
           "generalize_sex", "generalize", "covers"]

ZIP_LEVELS, BIRTH_DATE_LEVELS, SEX_LEVELS = 5, 4, 1
_ZIP = re.compile(r"^\d{5}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_level(level: object, top: int, name: str = "level") -> int:
    value = check_positive_int(level, name, minimum=0)
    if value > top:
        raise ValueError(f"{name} must be an integer in [0, {top}], got {level!r}")
    return value


def generalize_zip(zip_code: str, level: int) -> str:
    """ZIP with its last ``level`` digits starred: level 0 ``02139``, 2 ``021**``, 5 ``*****``."""
    level = _check_level(level, ZIP_LEVELS)
    if not isinstance(zip_code, str) or not _ZIP.match(zip_code):
        raise ValueError(f"zip_code must be a 5-digit string the ZIP hierarchy covers, got {zip_code!r}")
    return zip_code[: 5 - level] + "*" * level


def generalize_birth_date(birth_date: str, level: int) -> str:
    """Birth date at level 0 ``1943-06-13``, 1 ``1943-06``, 2 ``1943``, 3 ``194*``, 4 ``*``."""
    level = _check_level(level, BIRTH_DATE_LEVELS)
    if not isinstance(birth_date, str) or not _DATE.match(birth_date):
        raise ValueError(f"birth_date must be an ISO date YYYY-MM-DD the hierarchy covers, got {birth_date!r}")
    return [birth_date, birth_date[:7], birth_date[:4], birth_date[:3] + "*", "*"][level]


def generalize_sex(sex: str, level: int) -> str:
    """Sex at level 0 (``F``/``M``) or suppressed at level 1 (``*``)."""
    level = _check_level(level, SEX_LEVELS)
    if sex not in ("F", "M"):
        raise ValueError(f"sex must be 'F' or 'M' (the values the hierarchy covers), got {sex!r}")
    return "*" if level else sex


_GENERALIZERS = {"zip": generalize_zip, "birth_date": generalize_birth_date, "sex": generalize_sex}


def generalize(table: pd.DataFrame, levels: Mapping[str, int]) -> pd.DataFrame:
    """Full-domain generalisation: every value of each column in ``levels`` lifted to that level."""
    check_table(table, "table")
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError(f"levels must be a non-empty mapping column -> level, got {levels!r}")
    unknown = [c for c in levels if c not in _GENERALIZERS]
    if unknown:
        raise ValueError(f"levels names columns {unknown} with no hierarchy; known: {sorted(_GENERALIZERS)}")
    check_columns(table, list(levels), "levels")
    out = table.copy()
    for column, level in levels.items():
        out[column] = [_GENERALIZERS[column](value, level) for value in table[column].astype(str)]
    return out


def covers(general: str, value: str) -> bool:
    """Whether generalised value ``general`` covers the raw ``value`` (equal, starred prefix, range or ``*``)."""
    for text, name in ((general, "general"), (value, "value")):
        if not isinstance(text, str):
            raise ParameterTypeError(f"{name} must be a str, got {text!r} of type {type(text).__name__}")
    if general == value or general == "*":
        return True
    if ".." in general:
        low, high = general.split("..", 1)
        return low <= value <= high
    if general.endswith("*"):
        return value.startswith(general.rstrip("*"))
    return len(general) < len(value) and value.startswith(general) and value[len(general)] == "-"
