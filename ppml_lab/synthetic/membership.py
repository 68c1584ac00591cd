"""Membership inference on a generator: shadow fits with and without a target record (Stadler et al. 2022).

The attacker knows the population the training table is drawn from and the target record. They fit the
generator many times on tables drawn from that population, with and without the target, and look at one
feature of each synthetic table: how many synthetic rows match the target on ``match_columns``. Fits are split
in two: the attacker's shadow fits set the threshold (above every shadow fit *without* the target: a low
false-positive rate by construction), and fresh evaluation fits measure the attack's TPR and FPR, with
Clopper-Pearson intervals. Each fit includes every target independently with probability 1/2, so one fit tests
all targets at once. Taught in ``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..attacks.metrics import clopper_pearson
from ..progress import progress
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_positive_int
from .discretise import TableDomain, encode

__all__ = ["Generator", "rarest_pairs", "match_counts", "shadow_fits", "GeneratorAttackResult", "threshold_attack"]

#: A generator: (training table, rng) -> synthetic table of integer codes.
Generator = Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]


def rarest_pairs(targets: pd.DataFrame, population: pd.DataFrame, domain: TableDomain) -> list[tuple[str, str]]:
    """For each target (codes): the pair of columns whose values it shares with the fewest population rows.

    The attacker knows the population, so they watch the combination that (almost) only the target has.
    """
    for name, table in (("targets", targets), ("population", population)):
        if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in domain.columns):
            raise ParameterTypeError(f"{name} must be a DataFrame of codes with the domain's columns")
    pairs = list(itertools.combinations(domain.columns, 2))
    out = []
    for _, row in targets.iterrows():
        counts = [int(((population[a] == row[a]) & (population[b] == row[b])).sum()) for a, b in pairs]
        out.append(pairs[int(np.argmin(counts))])
    return out


def match_counts(synthetic: pd.DataFrame, targets: pd.DataFrame, domain: TableDomain,
                 match_columns: Sequence[str]) -> np.ndarray:
    """For each target row (codes): how many synthetic rows equal it on ``match_columns``."""
    if not isinstance(synthetic, pd.DataFrame) or not isinstance(targets, pd.DataFrame):
        raise ParameterTypeError("synthetic and targets must be DataFrames of codes")
    columns = list(match_columns)
    if not columns or any(c not in domain.columns for c in columns):
        raise ValueError(f"match_columns must be a non-empty list of the domain's columns, got {match_columns!r}")
    syn = synthetic[columns].to_numpy()
    return np.array([int((syn == row).all(axis=1).sum()) for row in targets[columns].to_numpy()])


def shadow_fits(generator: Generator, population: pd.DataFrame, targets: pd.DataFrame, domain: TableDomain,
                match_columns: Sequence[str] | None = None, n_fits: int = 16, n_train: int = 2000,
                rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Fit ``generator`` ``n_fits`` times on ``n_train`` population rows plus each target with probability 1/2.

    ``match_columns=None``: each target is watched on its :func:`rarest_pairs` (found on the population).
    Returns one row per (fit, target): ``fit``, ``target``, ``is_member``, ``score`` (match count).
    """
    if not callable(generator):
        raise ParameterTypeError(f"generator must be a function (table, rng) -> codes, got {type(generator).__name__}")
    n_fits = check_positive_int(n_fits, "n_fits", minimum=2)
    n_train = check_positive_int(n_train, "n_train")
    if not isinstance(population, pd.DataFrame) or len(population) < n_train:
        raise ValueError(f"population must be a DataFrame of at least n_train={n_train} rows")
    if not isinstance(targets, pd.DataFrame) or targets.empty:
        raise ValueError("targets must be a non-empty DataFrame of target records")
    target_codes = encode(targets, domain)
    if match_columns is None:
        watched = rarest_pairs(target_codes, encode(population, domain), domain)
    else:
        watched = [tuple(match_columns)] * len(targets)
    generator_rng = as_rng(rng)
    rows = []
    for fit in progress(range(n_fits), desc="shadow fits"):
        is_member = generator_rng.random(len(targets)) < 0.5
        sample = population.iloc[np.sort(generator_rng.choice(len(population), n_train, replace=False))]
        train = pd.concat([sample, targets[is_member]], ignore_index=True)
        synthetic = generator(train, generator_rng)
        scores = [match_counts(synthetic, target_codes.iloc[[t]], domain, watched[t])[0] for t in range(len(targets))]
        rows += [{"fit": fit, "target": t, "is_member": bool(is_member[t]), "score": int(scores[t])}
                 for t in range(len(targets))]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class GeneratorAttackResult:
    """The attack's TPR and FPR on the evaluation fits, with Clopper-Pearson 95% intervals."""

    tpr: float
    tpr_interval: tuple[float, float]
    fpr: float
    fpr_interval: tuple[float, float]
    n_members: int
    n_nonmembers: int
    per_target: pd.DataFrame


def threshold_attack(observations: pd.DataFrame, n_shadow: int) -> GeneratorAttackResult:
    """Threshold each target's score above its largest score in the first ``n_shadow`` fits without it; evaluate
    on the remaining fits."""
    needed = {"fit", "target", "is_member", "score"}
    if not isinstance(observations, pd.DataFrame) or not needed <= set(observations.columns):
        raise ValueError(f"observations must be shadow_fits' table with columns {sorted(needed)}")
    n_shadow = check_positive_int(n_shadow, "n_shadow")
    if not 0 < n_shadow < observations["fit"].nunique():
        raise ValueError(f"n_shadow must leave at least one evaluation fit: 1..{observations['fit'].nunique() - 1}, "
                         f"got {n_shadow}")
    shadow, evaluation = observations[observations.fit < n_shadow], observations[observations.fit >= n_shadow]
    out_scores = shadow[~shadow.is_member].groupby("target")["score"].max()
    threshold = evaluation["target"].map(out_scores).fillna(-1)
    guess = evaluation["score"] > threshold
    members = evaluation.is_member.to_numpy()
    tp, fp = int((guess & members).sum()), int((guess & ~members).sum())
    n_in, n_out = int(members.sum()), int((~members).sum())
    per_target = evaluation.assign(guess=guess).groupby("target").apply(
        lambda g: pd.Series({"TPR": (g.guess & g.is_member).sum() / max(g.is_member.sum(), 1),
                             "FPR": (g.guess & ~g.is_member).sum() / max((~g.is_member).sum(), 1)}),
        include_groups=False)
    return GeneratorAttackResult(tp / max(n_in, 1), clopper_pearson(tp, n_in), fp / max(n_out, 1),
                                 clopper_pearson(fp, n_out), n_in, n_out, per_target)
