"""Argument checks shared by the anonymity modules (tables, column names, k)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..validation import ParameterTypeError, check_positive_int

__all__: list[str] = []


def check_table(table: object, name: str) -> pd.DataFrame:
    """``table`` if it is a non-empty DataFrame."""
    if not isinstance(table, pd.DataFrame):
        raise ParameterTypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    if len(table) == 0:
        raise ValueError(f"{name} must be non-empty, got an empty table (0 rows)")
    return table


def check_columns(table: pd.DataFrame, columns: object, name: str) -> list[str]:
    """``columns`` as a list if it is a non-empty sequence of column names of ``table``."""
    if isinstance(columns, str) or not isinstance(columns, Sequence) or len(columns) == 0:
        raise ParameterTypeError(f"{name} must be a non-empty list of column names, got {columns!r}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} names columns {missing} that the table does not have; "
                         f"its columns are {list(table.columns)}")
    return list(columns)


def check_column(table: pd.DataFrame, column: object, name: str) -> str:
    """``column`` if it is the name of a column of ``table``."""
    if not isinstance(column, str) or column not in table.columns:
        raise ValueError(f"{name} must be a column of the table ({list(table.columns)}), got {column!r}")
    return column


def check_k(k: object, n_rows: int, name: str = "k") -> int:
    """``k`` if it is an integer in [1, n_rows]."""
    k_int = check_positive_int(k, name)
    if k_int > n_rows:
        raise ValueError(f"{name} must be an integer in [1, {n_rows}] (the table has {n_rows} rows), got {k!r}")
    return k_int
