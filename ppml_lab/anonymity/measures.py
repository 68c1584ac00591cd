"""k-anonymity, l-diversity (distinct and entropy) and t-closeness (EMD) of a released table.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``: Sweeney 2002 (k), Machanavajjhala et al. 2007 (l),
Li, Li and Venkatasubramanian 2007 (t, with the equal ground distance for a categorical attribute, where EMD is
half the L1 distance). ``pycanon`` computes the same numbers (a test checks every table the lesson releases).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_column, check_columns, check_table

__all__ = ["AnonymityReport", "equivalence_classes", "k_anonymity", "distinct_l_diversity",
           "entropy_l_diversity", "t_closeness", "measure"]


@dataclass(frozen=True)
class AnonymityReport:
    """k, distinct l, entropy l (exp of the smallest class entropy, not rounded) and t of one release."""

    k: int
    distinct_l: int
    entropy_l: float
    t: float
    n_classes: int


def equivalence_classes(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> np.ndarray:
    """The equivalence class (rows sharing all quasi-identifier values) of each row, as integer labels."""
    check_table(table, "table")
    qis = check_columns(table, quasi_identifiers, "quasi_identifiers")
    return table.groupby(qis, sort=True).ngroup().to_numpy()


def _class_distributions(table: pd.DataFrame, qis: Sequence[str], sensitive: str) -> pd.DataFrame:
    """Rows: equivalence classes; columns: sensitive values; entries: counts."""
    check_table(table, "table")
    qis = check_columns(table, qis, "quasi_identifiers")
    check_column(table, sensitive, "sensitive")
    return pd.crosstab(equivalence_classes(table, qis), table[sensitive].to_numpy())


def k_anonymity(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The size of the smallest equivalence class (Sweeney 2002)."""
    return int(np.bincount(equivalence_classes(table, quasi_identifiers)).min())


def distinct_l_diversity(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> int:
    """The fewest distinct sensitive values in any equivalence class (Machanavajjhala et al. 2007)."""
    return int((_class_distributions(table, quasi_identifiers, sensitive) > 0).sum(axis=1).min())


def entropy_l_diversity(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> float:
    """exp of the smallest entropy of the sensitive value within a class (Machanavajjhala et al. 2007, Def. 4.1)."""
    counts = _class_distributions(table, quasi_identifiers, sensitive).to_numpy(dtype=float)
    p = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
    return float(np.exp(entropy.min()))


def t_closeness(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> float:
    """The largest EMD between a class's sensitive distribution and the table's (equal ground distance)."""
    counts = _class_distributions(table, quasi_identifiers, sensitive).to_numpy(dtype=float)
    within = counts / counts.sum(axis=1, keepdims=True)
    overall = counts.sum(axis=0) / counts.sum()
    return float(0.5 * np.abs(within - overall).sum(axis=1).max())


def measure(table: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str) -> AnonymityReport:
    """k, l (distinct and entropy) and t of ``table`` in one report."""
    return AnonymityReport(k=k_anonymity(table, quasi_identifiers),
                           distinct_l=distinct_l_diversity(table, quasi_identifiers, sensitive),
                           entropy_l=entropy_l_diversity(table, quasi_identifiers, sensitive),
                           t=t_closeness(table, quasi_identifiers, sensitive),
                           n_classes=int(equivalence_classes(table, quasi_identifiers).max()) + 1)
