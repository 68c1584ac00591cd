"""Discretise a table onto a public domain: every column becomes integer codes ``0..size-1``.

Marginal-based generators (MST, Private-PGM) work on counts, so every column needs a finite list of values that
is fixed *before* looking at the data: categories for categorical columns, bin edges for continuous ones.
Taught in ``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..seeding import as_rng
from ..validation import ParameterTypeError

__all__ = ["TableDomain", "make_domain", "encode", "decode", "HOSPITAL_COLUMNS", "HOSPITAL_BINS", "hospital_domain"]

#: The columns of ``data/hospital.csv`` that the lesson's generators model (identifiers are dropped).
HOSPITAL_COLUMNS = ("hospital", "sex", "age", "zip", "smoker", "diagnosis", "medication", "length_of_stay")
#: Public bin edges for its integer columns (left-closed intervals; the last edge closes the range).
HOSPITAL_BINS = {"age": (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100),
                 "length_of_stay": (0, 1, 2, 3, 5, 8, 13, 21, 61)}


@dataclass(frozen=True)
class TableDomain:
    """Each column's values: ``categories[column]`` for categorical columns, ``bins[column]`` edges otherwise."""

    columns: tuple[str, ...]
    categories: Mapping[str, tuple]
    bins: Mapping[str, tuple[float, ...]]

    def size(self, column: str) -> int:
        """How many codes ``column`` has (categories, or bins = edges - 1)."""
        if column in self.bins:
            return len(self.bins[column]) - 1
        return len(self.categories[column])

    @property
    def shape(self) -> dict[str, int]:
        """Column -> number of codes, in column order."""
        return {column: self.size(column) for column in self.columns}

    def labels(self, column: str) -> list[str]:
        """Human-readable value of each code (``[lo, hi)`` for a bin)."""
        if column in self.bins:
            edges = self.bins[column]
            return [f"[{lo:g}, {hi:g})" for lo, hi in zip(edges[:-1], edges[1:])]
        return [str(value) for value in self.categories[column]]


def _check_table(table: pd.DataFrame, name: str = "table") -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise ParameterTypeError(f"{name} must be a pandas DataFrame, got {type(table).__name__}")
    if table.empty:
        raise ValueError(f"{name} must have at least one row and one column, got shape {table.shape}")
    return table


def _check_columns(columns: Sequence[str], table: pd.DataFrame) -> tuple[str, ...]:
    if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
        raise ParameterTypeError(f"columns must be a non-empty list of column names, got {columns!r}")
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"columns must be columns of the table; not in it: {missing} "
                         f"(the table has {list(table.columns)})")
    if len(set(columns)) != len(columns):
        raise ValueError(f"columns must not repeat a name, got {list(columns)}")
    return tuple(columns)


def _check_edges(column: str, edges: Sequence[float]) -> tuple[float, ...]:
    try:
        values = np.asarray(edges, dtype=float)
    except (TypeError, ValueError):
        raise ParameterTypeError(f"bins[{column!r}] must be a list of numbers, got {edges!r}") from None
    if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise ValueError(f"bins[{column!r}] must be at least two finite, strictly increasing edges, got {edges!r}")
    return tuple(float(v) for v in values)


def make_domain(table: pd.DataFrame, columns: Sequence[str], bins: Mapping[str, Sequence[float]] | None = None,
                categories: Mapping[str, Sequence] | None = None) -> TableDomain:
    """A domain for ``columns``: ``bins`` for continuous columns, ``categories`` (or the table's values) otherwise.

    Reading categories from the table is only private when the list of possible values is public anyway (here:
    the schema of ``scripts/make_hospital.py``); pass ``categories`` to fix them without looking at the data.
    A numeric column with more than 30 distinct values and no ``bins`` is refused: it is continuous.
    """
    table = _check_table(table)
    columns = _check_columns(columns, table)
    bins, categories = dict(bins or {}), dict(categories or {})
    for name, mapping in (("bins", bins), ("categories", categories)):
        unknown = [column for column in mapping if column not in columns]
        if unknown:
            raise ValueError(f"{name} names columns that are not in columns: {unknown} (columns: {list(columns)})")
    edges = {column: _check_edges(column, bins[column]) for column in bins}
    levels = {}
    for column in columns:
        if column in edges:
            continue
        values = categories.get(column)
        if values is None:
            observed = table[column].dropna().unique()
            if pd.api.types.is_numeric_dtype(table[column]) and len(observed) > 30:
                raise ValueError(f"bins must give edges for the continuous column {column!r} "
                                 f"({len(observed)} distinct numeric values); e.g. bins={{{column!r}: [0, 10, 20]}}")
            values = sorted(observed, key=str)
        if len(values) == 0 or len(set(values)) != len(values):
            raise ValueError(f"categories[{column!r}] must be a non-empty list of distinct values, got {values!r}")
        levels[column] = tuple(values)
    return TableDomain(columns, levels, edges)


def _encode_column(values: pd.Series, domain: TableDomain, column: str) -> np.ndarray:
    if column in domain.bins:
        edges = np.asarray(domain.bins[column])
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        outside = ~((numbers >= edges[0]) & (numbers < edges[-1]))
        if outside.any():
            raise ValueError(f"domain does not cover column {column!r}: {int(outside.sum())} value(s) outside "
                             f"[{edges[0]:g}, {edges[-1]:g}), e.g. {values[outside].iloc[0]!r}")
        return np.searchsorted(edges, numbers, side="right") - 1
    lookup = {value: code for code, value in enumerate(domain.categories[column])}
    codes = values.map(lookup)
    if codes.isna().any():
        raise ValueError(f"domain does not cover column {column!r}: value {values[codes.isna()].iloc[0]!r} is not "
                         f"one of its categories {list(domain.categories[column])}")
    return codes.to_numpy(dtype=np.int64)


def encode(table: pd.DataFrame, domain: TableDomain) -> pd.DataFrame:
    """The table's domain columns as integer codes (a ``ValueError`` names a value the domain does not cover)."""
    table = _check_table(table)
    if not isinstance(domain, TableDomain):
        raise ParameterTypeError(f"domain must be a TableDomain (from make_domain), got {type(domain).__name__}")
    _check_columns(domain.columns, table)
    return pd.DataFrame({column: _encode_column(table[column], domain, column) for column in domain.columns})


def decode(codes: pd.DataFrame, domain: TableDomain, rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Codes back to values: categories, and for a bin an integer drawn uniformly inside it."""
    codes = _check_table(codes, "codes")
    if not isinstance(domain, TableDomain):
        raise ParameterTypeError(f"domain must be a TableDomain (from make_domain), got {type(domain).__name__}")
    _check_columns(domain.columns, codes)
    generator = as_rng(rng)
    out = {}
    for column in domain.columns:
        values = codes[column].to_numpy()
        if values.min() < 0 or values.max() >= domain.size(column):
            raise ValueError(f"codes[{column!r}] must lie in 0..{domain.size(column) - 1}, "
                             f"got {values.min()}..{values.max()}")
        if column in domain.bins:
            edges = np.asarray(domain.bins[column])
            low, high = np.ceil(edges[values]), np.ceil(edges[values + 1])
            out[column] = (low + np.floor(generator.random(len(values)) * (high - low))).astype(int)
        else:
            out[column] = np.asarray(domain.categories[column], dtype=object)[values]
    return pd.DataFrame(out)


def hospital_domain(table: pd.DataFrame) -> TableDomain:
    """The lesson's domain for ``data/hospital.csv``: :data:`HOSPITAL_COLUMNS` with :data:`HOSPITAL_BINS`."""
    return make_domain(table, HOSPITAL_COLUMNS, HOSPITAL_BINS)
