"""The lesson's experiments on ``data/hospital.csv``, cached by all their inputs (``ppml_lab.cache``).

``split_hospital`` keeps the five planted rare records in the training half; ``evaluate_generators`` fits MST at
each epsilon, MST without noise and the Gaussian copula on it and scores them (one row each);
``attack_generators`` runs the shadow-fit membership attack on every generator. Taught in
``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..anonymity import LinkageResult, linkage_attack
from ..cache import cached
from ..seeding import as_rng
from ..validation import check_epsilon, check_positive_int
from .baseline import CopulaResult, fit_gaussian_copula
from .discretise import TableDomain, encode, hospital_domain
from .evaluation import fidelity_utility, tstr_auc
from .membership import shadow_fits, threshold_attack
from .mst import MSTResult, fit_mst, measure_marginals, select_tree, selection_scores

__all__ = ["Evaluation", "QUASI_IDENTIFIERS", "linkage_on_release", "split_hospital", "generator_name",
           "evaluate_generators", "public_tree", "attack_generators", "attack_table"]

#: What the linkage attacker knows about a person besides their name (lesson 08's quasi-identifiers, binned).
QUASI_IDENTIFIERS = ("sex", "age", "zip")
COPULA, NO_NOISE = "Gaussian copula (copulas)", "MST without noise"


def split_hospital(table: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout): a random half each, the ``rare`` rows all in train (they are what we watch)."""
    if not isinstance(table, pd.DataFrame) or "rare" not in table.columns:
        raise ValueError("table must be data/hospital.csv as loaded by lab.datasets.load_hospital()")
    rng = as_rng(seed)
    common = np.flatnonzero(~table["rare"].to_numpy())
    order = rng.permutation(common)
    half = len(table) // 2
    n_rare = int(table["rare"].sum())
    train_rows = np.sort(np.concatenate([np.flatnonzero(table["rare"].to_numpy()), order[:half - n_rare]]))
    holdout_rows = np.sort(order[half - n_rare:2 * half - n_rare])
    return table.iloc[train_rows].reset_index(drop=True), table.iloc[holdout_rows].reset_index(drop=True)


def generator_name(epsilon: float | None) -> str:
    """The table's name of MST at ``epsilon`` (None: without noise)."""
    return NO_NOISE if epsilon is None else f"MST ε={epsilon:g}"


def _fit(table: pd.DataFrame, domain: TableDomain, epsilon: float | str | None, rng: np.random.Generator,
         edges: Sequence[tuple[str, str]] | None = None) -> pd.DataFrame:
    return _fit_full(table, domain, epsilon, rng, edges).synthetic


def _fit_full(table: pd.DataFrame, domain: TableDomain, epsilon: float | str | None, rng: np.random.Generator,
              edges: Sequence[tuple[str, str]] | None = None) -> MSTResult | CopulaResult:
    if epsilon == "copula":
        return fit_gaussian_copula(table, domain, rng=rng)
    return fit_mst(table, domain, epsilon, rng=rng, edges=edges)


@dataclass(frozen=True)
class Evaluation:
    """The lesson's table (one row per generator) and each generator's fitted result (synthetic codes inside)."""

    table: pd.DataFrame
    fits: dict[str, MSTResult | CopulaResult]


def _evaluate(table: pd.DataFrame, epsilons: tuple[float, ...], seed: int) -> Evaluation:
    domain = hospital_domain(table)
    train, holdout = (encode(t, domain) for t in split_hospital(table, seed))
    raw_train, _ = split_hospital(table, seed)
    rng = as_rng(seed)
    rows, fits = {}, {}
    for epsilon in [*epsilons, None, "copula"]:
        name = COPULA if epsilon == "copula" else generator_name(epsilon)
        fits[name] = _fit_full(raw_train, domain, epsilon, rng)
        rows[name] = {"epsilon": epsilon if isinstance(epsilon, float) else np.nan,
                      **fidelity_utility(fits[name].synthetic, train, holdout, domain)}
    real = {"epsilon": np.nan, "1-way TVD": np.nan, "2-way TVD": np.nan, "corr. diff.": np.nan,
            "TSTR AUC": tstr_auc(train, holdout, domain), "DCR share": np.nan}
    rows["real data (TRTR)"] = real
    return Evaluation(pd.DataFrame(rows).T.astype(float), fits)


def _check_epsilons(epsilons: Sequence[float]) -> tuple[float, ...]:
    if isinstance(epsilons, str) or not isinstance(epsilons, Sequence) or not epsilons:
        raise ValueError(f"epsilons must be a non-empty list of positive numbers, got {epsilons!r}")
    return tuple(check_epsilon(e) for e in epsilons)


def evaluate_generators(table: pd.DataFrame, epsilons: Sequence[float] = (0.3, 1.0, 3.0),
                        seed: int = 0) -> Evaluation:
    """One row per generator (MST at each epsilon, MST without noise, the copula, and real data for TRTR)."""
    epsilons = _check_epsilons(epsilons)
    split_hospital(table, seed)
    return cached("synthetic_evaluation", {"epsilons": epsilons, "seed": seed, "rows": len(table)},
                  lambda: _evaluate(table, epsilons, seed))


def public_tree(table: pd.DataFrame, domain: TableDomain) -> list[tuple[str, str]]:
    """The maximum spanning tree of the population without its rare rows (what the attacker could know)."""
    codes = encode(table[~table["rare"]], domain)
    one_way = measure_marginals(codes, domain, [(c,) for c in domain.columns], None)
    return select_tree(selection_scores(codes, domain, one_way), domain.columns, None)


def _attack(table: pd.DataFrame, epsilons: tuple[float, ...], n_fits: int, n_train: int,
            seed: int) -> dict[str, pd.DataFrame]:
    domain = hospital_domain(table)
    population, targets = table[~table["rare"]], table[table["rare"]]
    tree = public_tree(table, domain)
    out = {}
    for k, epsilon in enumerate([*epsilons, None, "copula"]):
        name = COPULA if epsilon == "copula" else generator_name(epsilon)

        def generator(train: pd.DataFrame, rng: np.random.Generator, epsilon=epsilon) -> pd.DataFrame:
            return _fit(train, domain, epsilon, rng, edges=tree)

        out[name] = shadow_fits(generator, population, targets, domain, None, n_fits, n_train,
                                rng=np.random.default_rng([seed, k]))
    return out


def attack_generators(table: pd.DataFrame, epsilons: Sequence[float] = (0.3, 1.0, 3.0), n_fits: int = 16,
                      n_train: int = 2000, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Generator name -> ``shadow_fits`` observations (MST fits share :func:`public_tree`)."""
    epsilons = _check_epsilons(epsilons)
    n_fits = check_positive_int(n_fits, "n_fits", minimum=4)
    n_train = check_positive_int(n_train, "n_train")
    split_hospital(table, seed)
    return cached("synthetic_attack", {"epsilons": epsilons, "n_fits": n_fits, "n_train": n_train, "seed": seed,
                                       "rows": len(table)}, lambda: _attack(table, epsilons, n_fits, n_train, seed))


def attack_table(observations: dict[str, pd.DataFrame], n_shadow: int) -> pd.DataFrame:
    """Per generator: the threshold attack's TPR and FPR with 95% intervals (first ``n_shadow`` fits: shadows)."""
    if not isinstance(observations, dict) or not observations:
        raise ValueError("observations must be attack_generators' dict of generator name -> observations")
    rows = {}
    for name, obs in observations.items():
        result = threshold_attack(obs, n_shadow)
        rows[name] = {"attack TPR": result.tpr, "attack TPR low": result.tpr_interval[0],
                      "attack TPR high": result.tpr_interval[1], "attack FPR": result.fpr,
                      "attack FPR high": result.fpr_interval[1], "members": result.n_members,
                      "non-members": result.n_nonmembers}
    return pd.DataFrame(rows).T


def _labelled(codes: pd.DataFrame, domain: TableDomain) -> pd.DataFrame:
    return pd.DataFrame({c: np.asarray(domain.labels(c), dtype=object)[codes[c].to_numpy()] for c in domain.columns})


def linkage_on_release(release_codes: pd.DataFrame, people: pd.DataFrame,
                       domain: TableDomain) -> tuple[LinkageResult, float]:
    """Lesson 08's linkage attack of named ``people`` (raw rows) against a release (codes), on
    :data:`QUASI_IDENTIFIERS` as the domain's labels (age in bands); also the share of linked people whose
    linked row carries their true diagnosis (what the attacker learns)."""
    if not isinstance(people, pd.DataFrame) or "name" not in people.columns:
        raise ValueError("people must be rows of data/hospital.csv (with their name)")
    auxiliary = _labelled(encode(people, domain), domain).assign(name=people["name"].to_numpy())
    release = _labelled(release_codes, domain)
    result = linkage_attack(release, auxiliary, list(QUASI_IDENTIFIERS), "name")
    if result.reidentified == 0:
        return result, 0.0
    truth = auxiliary.drop_duplicates("name").set_index("name")["diagnosis"]
    linked = release["diagnosis"].to_numpy()[result.matches["release_row"].to_numpy()]
    right = linked == truth.reindex(result.matches["name"]).to_numpy()
    return result, float(right.mean())
