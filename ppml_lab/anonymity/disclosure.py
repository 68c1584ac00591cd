"""Attribute disclosure without re-identification: the homogeneity and background-knowledge attacks.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``, following Machanavajjhala et al. 2007, Section 2: in a
k-anonymous table an attacker who links a neighbour to an equivalence class learns her sensitive value when the
class holds one value only (homogeneity), or one value after ruling out those she knows do not apply (background
knowledge). l-diversity is the defence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_column, check_columns, check_table
from .linkage import _candidates

__all__ = ["DisclosureResult", "homogeneity_attack", "background_knowledge_attack"]


@dataclass(frozen=True)
class DisclosureResult:
    """How many targets' sensitive value the attacker learns (and, with ground truth, learns correctly)."""

    disclosed: int
    correct: int
    targets: int
    rate: float
    guesses: pd.DataFrame  # one row per disclosed target: identity and the inferred value


def _value_counts(release: pd.DataFrame, auxiliary: pd.DataFrame, qis: list[str],
                  sensitive: str) -> tuple[np.ndarray, np.ndarray]:
    """Per auxiliary row, counts of each sensitive value among its candidate release rows; and the values."""
    _, _, class_of_row, covered = _candidates(release, auxiliary, qis)
    values, codes = np.unique(release[sensitive].astype(str).to_numpy(), return_inverse=True)
    per_class = np.zeros((covered.shape[0], len(values)))
    np.add.at(per_class, (class_of_row, codes), 1.0)
    return covered.T.astype(float) @ per_class, values


def _disclose(release: pd.DataFrame, auxiliary: pd.DataFrame, quasi_identifiers: Sequence[str], identity: str,
              sensitive: str, ruled_out: Sequence[str]) -> DisclosureResult:
    check_table(release, "release")
    check_table(auxiliary, "auxiliary")
    qis = check_columns(release, quasi_identifiers, "quasi_identifiers")
    check_columns(auxiliary, qis, "quasi_identifiers")
    check_column(auxiliary, identity, "identity")
    check_column(release, sensitive, "sensitive")
    release = release.reset_index(drop=True)
    counts, values = _value_counts(release, auxiliary, qis, sensitive)
    counts[:, np.isin(values, list(ruled_out))] = 0.0
    single = (counts > 0).sum(axis=1) == 1
    targets = np.flatnonzero(single)
    guesses = pd.DataFrame({identity: auxiliary[identity].to_numpy()[targets],
                            sensitive: values[counts[targets].argmax(axis=1)]})
    correct = len(guesses)
    if identity in release.columns:
        truth = release.drop_duplicates(identity).set_index(identity)[sensitive].astype(str)
        correct = int((truth.reindex(guesses[identity]).to_numpy() == guesses[sensitive].to_numpy()).sum())
    return DisclosureResult(disclosed=len(guesses), correct=correct, targets=len(auxiliary),
                            rate=len(guesses) / len(auxiliary), guesses=guesses)


def homogeneity_attack(release: pd.DataFrame, auxiliary: pd.DataFrame, quasi_identifiers: Sequence[str],
                       identity: str, sensitive: str) -> DisclosureResult:
    """Targets whose candidate rows all share one sensitive value (Machanavajjhala et al. 2007, Sec. 2)."""
    return _disclose(release, auxiliary, quasi_identifiers, identity, sensitive, ())


def background_knowledge_attack(release: pd.DataFrame, auxiliary: pd.DataFrame, quasi_identifiers: Sequence[str],
                                identity: str, sensitive: str, ruled_out: Sequence[str]) -> DisclosureResult:
    """The homogeneity attack after the attacker rules out values she knows do not apply to anyone she targets."""
    if isinstance(ruled_out, str) or not isinstance(ruled_out, Sequence) or not ruled_out:
        raise ValueError(f"ruled_out must be a non-empty list of sensitive values, got {ruled_out!r}")
    if sensitive in getattr(release, "columns", ()):
        unknown = sorted(set(ruled_out) - set(release[sensitive].astype(str)))
        if unknown:
            raise ValueError(f"ruled_out holds values {unknown} that column {sensitive!r} never takes")
    return _disclose(release, auxiliary, quasi_identifiers, identity, sensitive, ruled_out)
