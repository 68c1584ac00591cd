"""What generalisation costs: discernibility, average class size, counting-query error, classifier accuracy.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. Discernibility: Bayardo and Agrawal 2005; the normalised
average equivalence class size C_avg: LeFevre et al. 2006. Counting queries on a generalised release are answered
the usual naive way, spreading each row uniformly over the box its generalised values describe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import check_columns, check_k, check_table
from .measures import equivalence_classes

__all__ = ["REGIONS", "DECADES", "discernibility", "average_class_size", "query_answers", "query_error",
           "cell_probabilities"]

REGIONS = ("021", "024", "100", "606", "945")  # the ZIP3 regions of data/patients.csv
DECADES = ("193", "194", "195", "196", "197", "198", "199", "200")  # the birth decades
_DATE_FLOOR, _DATE_CEIL = dt.date(1900, 1, 1).toordinal(), dt.date(2029, 12, 31).toordinal()


def discernibility(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """Sum over equivalence classes of their size squared (Bayardo and Agrawal 2005): n for the raw table."""
    return int((np.bincount(equivalence_classes(table, quasi_identifiers)) ** 2).sum())


def average_class_size(table: pd.DataFrame, quasi_identifiers: Sequence[str], k: int) -> float:
    """C_avg = (rows / classes) / k (LeFevre et al. 2006): 1 is the best a k-anonymous table can do."""
    labels = equivalence_classes(table, quasi_identifiers)
    k = check_k(k, len(table))
    return float(len(table) / (labels.max() + 1) / k)


def _zip_interval(general: str) -> tuple[int, int]:
    if general.strip("*") == "":
        return 0, 99_999
    if ".." in general:
        low, high = general.split("..", 1)
        return int(low), int(high)
    stem = general.rstrip("*")
    return int(stem.ljust(5, "0")), int(stem.ljust(5, "9"))


def _date_prefix_interval(stem: str) -> tuple[int, int]:
    """Ordinal days covered by a birth-date prefix ``194``, ``1943``, ``1943-06`` or a full date."""
    if len(stem) == 3:
        return dt.date(int(stem + "0"), 1, 1).toordinal(), dt.date(int(stem + "9"), 12, 31).toordinal()
    if len(stem) == 4:
        return dt.date(int(stem), 1, 1).toordinal(), dt.date(int(stem), 12, 31).toordinal()
    if len(stem) == 7:
        first = dt.date(int(stem[:4]), int(stem[5:]), 1)
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first.toordinal(), after.toordinal() - 1
    day = dt.date.fromisoformat(stem).toordinal()
    return day, day


def _date_interval(general: str) -> tuple[int, int]:
    if general == "*":
        return _DATE_FLOOR, _DATE_CEIL
    if ".." in general:
        low, high = general.split("..", 1)
        return dt.date.fromisoformat(low).toordinal(), dt.date.fromisoformat(high).toordinal()
    return _date_prefix_interval(general.rstrip("*"))


def _overlap(intervals: list[tuple[int, int]], bins: list[tuple[int, int]]) -> np.ndarray:
    """Fraction of each row's integer interval inside each bin (rows x bins)."""
    low, high = np.array(intervals, dtype=float).T
    bin_low, bin_high = np.array(bins, dtype=float).T
    inside = np.minimum(high[:, None], bin_high) - np.maximum(low[:, None], bin_low) + 1
    return np.clip(inside, 0, None) / (high - low + 1)[:, None]


def cell_probabilities(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the probability of each ZIP3 region, birth decade and sex (F, M) under the uniform spread."""
    check_table(table, "table")
    check_columns(table, ["zip", "birth_date", "sex"], "table")
    regions = _overlap([_zip_interval(z) for z in table["zip"].astype(str)],
                       [_zip_interval(r + "**") for r in REGIONS])
    decades = _overlap([_date_interval(d) for d in table["birth_date"].astype(str)],
                       [_date_prefix_interval(d) for d in DECADES])
    sex = table["sex"].astype(str).to_numpy()
    female = np.where(sex == "F", 1.0, np.where(sex == "M", 0.0, 0.5))
    return regions, decades, np.column_stack([female, 1 - female])


def query_answers(table: pd.DataFrame, sensitive: str = "diagnosis",
                  values: Sequence[str] | None = None) -> pd.Series:
    """Counts per (region, sex, value) and per (decade, value): 144 counting queries on the patients table."""
    regions, decades, sex = cell_probabilities(table)
    check_columns(table, [sensitive], "sensitive")
    labels = table[sensitive].astype(str).to_numpy()
    values = sorted(set(labels)) if values is None else list(values)
    onehot = (labels[:, None] == np.array(values)[None, :]).astype(float)
    by_region = np.einsum("nr,ns,nv->rsv", regions, sex, onehot)
    by_decade = np.einsum("nd,nv->dv", decades, onehot)
    index = [("region", r, s, v) for r in REGIONS for s in "FM" for v in values] + \
            [("decade", d, "*", v) for d in DECADES for v in values]
    return pd.Series(np.concatenate([by_region.ravel(), by_decade.ravel()]),
                     index=pd.MultiIndex.from_tuples(index, names=["query", "where", "sex", sensitive]))


def query_error(truth: pd.Series, estimate: pd.Series) -> float:
    """Mean absolute error of the estimated answers over the same queries."""
    if not isinstance(truth, pd.Series) or not isinstance(estimate, pd.Series) or not truth.index.equals(
            estimate.index):
        raise ValueError("truth and estimate must be pandas Series over the same queries (from query_answers)")
    return float(np.mean(np.abs(truth.to_numpy() - estimate.to_numpy())))
