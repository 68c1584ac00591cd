"""The privacy-utility grid of lesson 08's widget: Mondrian at several k beside the DP table at several epsilon.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. For each k: the linkage attack's guess rate and the mean
absolute error of the 144 counting queries on the Mondrian release; for each epsilon: the error of the same
queries summed from the DP contingency table (mean and standard deviation over seeds).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..cache import cached
from ..validation import check_epsilon, check_positive_int
from ._checks import check_columns, check_table
from .dp_release import answers_from_table, contingency_table, simulate_release
from .linkage import linkage_attack
from .partition import mondrian
from .utility import query_answers, query_error

__all__ = ["QUASI_IDENTIFIERS", "k_anonymity_sweep", "dp_sweep"]

QUASI_IDENTIFIERS = ("sex", "birth_date", "zip")


def k_anonymity_sweep(people: pd.DataFrame, voter_roll: pd.DataFrame, ks: Sequence[int],
                      sensitive: str = "diagnosis") -> pd.DataFrame:
    """Per k (k = 1: the raw table): linkage re-identification and guess rates, and counting-query error."""
    check_table(people, "people")
    check_table(voter_roll, "voter_roll")
    check_columns(people, [*QUASI_IDENTIFIERS, "name", sensitive], "people")
    ks = [check_positive_int(k, "ks") for k in ks]
    qis, values = list(QUASI_IDENTIFIERS), sorted(people[sensitive].astype(str).unique())
    columns = [*qis, "name", sensitive]

    def compute() -> pd.DataFrame:
        truth, rows = query_answers(people, sensitive, values), []
        for k in ks:
            release = people[columns] if k == 1 else mondrian(people[columns], qis, k).release
            attack = linkage_attack(release, voter_roll, qis, "name")
            rows.append({"k": k, "reidentified": attack.rate, "guess_rate": attack.guess_rate,
                         "query_error": query_error(truth, query_answers(release, sensitive, values))})
        return pd.DataFrame(rows)

    inputs = {"people": people[columns], "voter_roll": voter_roll, "ks": ks, "version": 1}
    return cached("k_anonymity_sweep", inputs, compute)


def dp_sweep(people: pd.DataFrame, epsilons: Sequence[float], seeds: int = 5,
             sensitive: str = "diagnosis") -> pd.DataFrame:
    """Per epsilon: mean and standard deviation over ``seeds`` of the counting-query error of the DP table."""
    check_table(people, "people")
    epsilons = [check_epsilon(e, "epsilons") for e in epsilons]
    seeds = check_positive_int(seeds, "seeds")
    values = sorted(people[sensitive].astype(str).unique())
    truth = query_answers(people, sensitive, values)
    counts = contingency_table(people, values, sensitive)
    rows = []
    for epsilon in epsilons:
        errors = [query_error(truth, answers_from_table(simulate_release(counts, epsilon, values, rng=s).counts,
                                                        values, sensitive)) for s in range(seeds)]
        rows.append({"epsilon": epsilon, "query_error": float(np.mean(errors)),
                     "query_error_std": float(np.std(errors, ddof=1)) if seeds > 1 else 0.0})
    return pd.DataFrame(rows)
