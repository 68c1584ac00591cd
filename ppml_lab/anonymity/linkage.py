"""The linkage attack (Sweeney 2000): join a release to an auxiliary table on the quasi-identifiers.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. An auxiliary row is *re-identified* when exactly one
release row can be it (its quasi-identifiers are equal to, or covered by, that row's generalised values); when
the release also carries the ``identity`` column as ground truth (the lesson keeps it aside for scoring), the
single candidate must also be the right person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..seeding import as_rng
from ..validation import check_positive_int, check_probability
from ._checks import check_column, check_columns, check_table

__all__ = ["LinkageResult", "linkage_attack", "make_voter_roll"]


@dataclass(frozen=True)
class LinkageResult:
    """What the attacker learned: re-identified targets, their number, and the candidate counts."""

    reidentified: int
    targets: int
    rate: float
    unique_matches: int
    mean_candidates: float
    guess_rate: float  # an attacker who picks one candidate at random: mean chance of naming the right person
    matches: pd.DataFrame  # one row per re-identified target: identity and the release row index

    def __post_init__(self) -> None:
        check_positive_int(self.targets, "targets")
        if not 0 <= self.reidentified <= self.targets:
            raise ValueError(f"reidentified must be in [0, targets={self.targets}], got {self.reidentified!r}")


def _cover_row(general: str, aux_values: np.ndarray) -> np.ndarray:
    """Which auxiliary values ``general`` covers: :func:`covers`, vectorised over ``aux_values``."""
    if general == "*":
        return np.ones(len(aux_values), dtype=bool)
    if ".." in general:
        low, high = general.split("..", 1)
        return (aux_values >= low) & (aux_values <= high)
    if general.endswith("*"):
        return np.char.startswith(aux_values, general.rstrip("*"))
    return (aux_values == general) | np.char.startswith(aux_values, general + "-")


def _cover_matrix(release_values: np.ndarray, aux_values: np.ndarray) -> np.ndarray:
    """``cover[i, j]``: release value i covers auxiliary value j (one quasi-identifier)."""
    aux_text = aux_values.astype(str)
    return np.array([_cover_row(str(r), aux_text) for r in release_values], dtype=bool).reshape(
        len(release_values), len(aux_values))


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _candidates(release: pd.DataFrame, auxiliary: pd.DataFrame,
                qis: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per auxiliary row: how many release rows could be it, and the release class when there is one."""
    classes = release[qis].astype(str).drop_duplicates().reset_index(drop=True)
    class_of_row = release[qis].astype(str).merge(classes.reset_index(), on=qis, how="left")["index"].to_numpy()
    sizes = np.bincount(class_of_row, minlength=len(classes))
    covered = np.ones((len(classes), len(auxiliary)), dtype=bool)
    for qi in qis:
        class_codes, class_values = _codes(classes[qi])
        aux_codes, aux_values = _codes(auxiliary[qi])
        covered &= _cover_matrix(class_values, aux_values)[np.ix_(class_codes, aux_codes)]
    counts = sizes @ covered
    only_class = np.where(covered.sum(axis=0) == 1, covered.argmax(axis=0), -1)
    return counts, np.where(counts == 1, only_class, -1), class_of_row, covered


def _right_candidates(release: pd.DataFrame, auxiliary: pd.DataFrame, identity: str, class_of_row: np.ndarray,
                      covered: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per auxiliary row: how many of its candidates carry its identity (all of them without ground truth)."""
    if identity not in release.columns:
        return counts.astype(float)
    pairs = pd.DataFrame({identity: auxiliary[identity].to_numpy(), "aux": np.arange(len(auxiliary))}).merge(
        pd.DataFrame({identity: release[identity].to_numpy(), "row": np.arange(len(release))}), on=identity)
    aux, rows = pairs["aux"].to_numpy(), pairs["row"].to_numpy()
    return np.bincount(aux, weights=covered[class_of_row[rows], aux], minlength=len(auxiliary))


def linkage_attack(release: pd.DataFrame, auxiliary: pd.DataFrame, quasi_identifiers: Sequence[str],
                   identity: str) -> LinkageResult:
    """Link each auxiliary row (a named person) to the release rows its quasi-identifiers match (Sweeney 2000).

    A release value matches an auxiliary value when it is equal, or a generalisation covering it
    (``"021**"``, ``"1943..1950"``, ``"*"``; see :func:`ppml_lab.anonymity.hierarchies.covers`).
    """
    check_table(release, "release")
    check_table(auxiliary, "auxiliary")
    qis = check_columns(release, quasi_identifiers, "quasi_identifiers")
    check_columns(auxiliary, qis, "quasi_identifiers")
    check_column(auxiliary, identity, "identity")
    release = release.reset_index(drop=True)
    counts, single_class, class_of_row, covered = _candidates(release, auxiliary, qis)
    row_of_class = pd.Series(np.arange(len(release))).groupby(class_of_row).first()
    target_rows = np.flatnonzero(single_class >= 0)
    release_rows = row_of_class.reindex(single_class[target_rows]).to_numpy(dtype=int) if len(target_rows) else \
        np.zeros(0, dtype=int)
    names = auxiliary[identity].to_numpy()[target_rows]
    if identity in release.columns:
        correct = release[identity].to_numpy()[release_rows] == names
        target_rows, release_rows, names = target_rows[correct], release_rows[correct], names[correct]
    matches = pd.DataFrame({identity: names, "release_row": release_rows})
    targets = len(auxiliary)
    right = _right_candidates(release, auxiliary, identity, class_of_row, covered, counts)
    guess = right / np.maximum(counts, 1)
    return LinkageResult(reidentified=len(matches), targets=targets, rate=len(matches) / targets,
                         unique_matches=int(np.sum(counts == 1)), mean_candidates=float(np.mean(counts)),
                         guess_rate=float(np.mean(guess)), matches=matches)


def make_voter_roll(people: pd.DataFrame, fraction: float = 0.5, rng: np.random.Generator | int | None = 0,
                    columns: Sequence[str] = ("name", "sex", "birth_date", "zip")) -> pd.DataFrame:
    """A synthetic voter roll: names and quasi-identifiers of a random ``fraction`` of ``people`` (seeded)."""
    check_table(people, "people")
    fraction = check_probability(fraction, "fraction", open_low=True)
    cols = check_columns(people, columns, "columns")
    generator = as_rng(rng)
    n_voters = max(1, int(round(fraction * len(people))))
    chosen = np.sort(generator.choice(len(people), size=n_voters, replace=False))
    return people.iloc[chosen][cols].reset_index(drop=True)
