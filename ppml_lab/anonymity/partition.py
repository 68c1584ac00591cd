"""Mondrian multidimensional partitioning to a target k (LeFevre, DeWitt and Ramakrishnan 2006).

Taught in ``notebooks/08_pii_and_anonymization.ipynb``; this from-scratch version is also the lab's implementation
(there is no maintained Python Mondrian library; ``pycanon`` verifies what it releases). Strict Mondrian: split
the partition on the quasi-identifier with the widest normalised range at its median, as long as both halves keep
at least k rows; then publish every partition's quasi-identifiers as a range ``"lo..hi"`` (a single value when
all rows agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_columns, check_k, check_table

__all__ = ["MondrianResult", "mondrian"]


@dataclass(frozen=True)
class MondrianResult:
    """The k-anonymous release, the partition of each row, and the k it was built for."""

    release: pd.DataFrame
    partition: np.ndarray
    k: int

    @property
    def n_partitions(self) -> int:
        """How many equivalence classes the release has."""
        return int(self.partition.max()) + 1


def _ranks(table: pd.DataFrame, qis: list[str]) -> np.ndarray:
    """Each quasi-identifier as dense ranks of its values (text order: ISO dates and ZIPs sort as text)."""
    return np.column_stack([pd.factorize(table[q].astype(str), sort=True)[0] for q in qis]).astype(np.int64)


def _split(ranks: np.ndarray, rows: np.ndarray, k: int, spans: np.ndarray) -> list[np.ndarray]:
    """Cut ``rows`` at the median of its widest dimension, or keep it whole when no cut leaves k on both sides."""
    sub = ranks[rows]
    widths = (sub.max(axis=0) - sub.min(axis=0)) / spans
    for dim in np.argsort(-widths, kind="stable"):
        if widths[dim] == 0:
            break
        values = np.sort(sub[:, dim])
        median = values[len(values) // 2]
        left = sub[:, dim] < median
        if left.sum() < k:  # the median value is the smallest one: put it on the left instead
            left = sub[:, dim] <= median
        if k <= left.sum() <= len(rows) - k:
            return [rows[left], rows[~left]]
    return [rows]


def _partition(ranks: np.ndarray, k: int) -> np.ndarray:
    """Label of each row's final partition (depth-first, left before right)."""
    spans = np.maximum(ranks.max(axis=0) - ranks.min(axis=0), 1).astype(float)
    labels, stack, label = np.zeros(len(ranks), dtype=np.int64), [np.arange(len(ranks))], 0
    while stack:
        rows = stack.pop()
        parts = _split(ranks, rows, k, spans)
        if len(parts) == 1:
            labels[rows], label = label, label + 1
        else:
            stack.extend(reversed(parts))
    return labels


def _summary(values: pd.Series, labels: np.ndarray) -> pd.Series:
    """Each row's partition range of ``values``: ``"lo..hi"``, or the value itself when all agree."""
    grouped = values.groupby(labels)
    low, high = grouped.transform("min"), grouped.transform("max")
    return low.where(low == high, low + ".." + high)


def mondrian(table: pd.DataFrame, quasi_identifiers: Sequence[str], k: int) -> MondrianResult:
    """A k-anonymous release of ``table``: quasi-identifiers generalised to each Mondrian partition's range."""
    check_table(table, "table")
    qis = check_columns(table, quasi_identifiers, "quasi_identifiers")
    k = check_k(k, len(table))
    table = table.reset_index(drop=True)
    labels = _partition(_ranks(table, qis), k)
    release = table.copy()
    text = table[qis].astype(str)
    for q in qis:
        release[q] = _summary(text[q], labels)
    return MondrianResult(release=release, partition=labels, k=k)
