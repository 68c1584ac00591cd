"""The differencing attack: two innocent-looking aggregate queries reveal one person's secret.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (Dinur & Nissim 2003 show the general
version: enough aggregate answers with too little noise reconstruct the whole table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import math

import numpy as np
import pandas as pd

from ..queries import private_count
from ..seeding import as_rng
from ..validation import check_epsilon, check_nonempty, check_positive_int

__all__ = ["DifferencingResult", "differencing_attack", "attack_accuracy", "best_guess_bound"]


@dataclass(frozen=True)
class DifferencingResult:
    """The two aggregate answers and what their difference says about the target."""

    count_everyone: float
    count_without_target: float

    @property
    def difference(self) -> float:
        return self.count_everyone - self.count_without_target

    @property
    def inferred(self) -> bool:
        """The attacker's guess: the target has the attribute if the difference rounds to >= 1."""
        return bool(np.rint(self.difference) >= 1)


def differencing_attack(
    table: pd.DataFrame,
    has_attribute: pd.Series,
    is_target: pd.Series,
    answer: Callable[[pd.Series], float] | None = None,
) -> DifferencingResult:
    """Ask "how many have the attribute?" and "how many, excluding people like the target?".

    ``is_target`` selects the target by quasi-identifiers the attacker knows (e.g. ZIP, birth
    date, sex); ``answer`` turns a boolean mask into a released count (exact by default, or a
    private mechanism to show the attack failing).
    """
    check_nonempty(table, "table")
    answer = answer or (lambda mask: float(mask.sum()))
    return DifferencingResult(answer(has_attribute), answer(has_attribute & ~is_target))


def attack_accuracy(table: pd.DataFrame, has_attribute: pd.Series, is_target: pd.Series, epsilon_per_query: float,
                    trials: int = 2000, rng: np.random.Generator | int | None = None) -> float:
    """How often the differencing attack guesses right when both counts get Laplace noise.

    Replays the attack ``trials`` times in each of the two neighbouring worlds (target with and
    without the attribute) and averages. Both queries draw from one generator: reusing a seed per
    query would give both the same noise, which cancels in the difference.
    """
    epsilon_per_query = check_epsilon(epsilon_per_query, "epsilon_per_query")
    trials = check_positive_int(trials, "trials")
    rng = as_rng(rng)
    answer = lambda mask: private_count(mask, epsilon_per_query, rng=rng)  # noqa: E731
    right = 0
    for world_has_attribute in (True, False):
        world = has_attribute.copy()
        world[is_target] = world_has_attribute
        right += sum(differencing_attack(table, world, is_target, answer).inferred == world_has_attribute
                     for _ in range(trials))
    return right / (2 * trials)


def best_guess_bound(epsilon: float) -> float:
    """e^eps / (1 + e^eps): no test can tell epsilon-DP neighbours apart more often, averaged over both."""
    return 1.0 / (1.0 + math.exp(-check_epsilon(epsilon)))
