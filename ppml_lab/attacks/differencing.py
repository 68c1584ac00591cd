"""The differencing attack: two innocent-looking aggregate queries reveal one person's secret.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (Dinur & Nissim 2003 show the general
version: enough aggregate answers with too little noise reconstruct the whole table).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..queries import private_count
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_epsilon, check_finite, check_nonempty, check_positive_int

__all__ = ["DifferencingResult", "differencing_attack", "attack_accuracy", "best_guess_bound"]


@dataclass(frozen=True)
class DifferencingResult:
    """The two aggregate answers and what their difference says about the target."""

    count_everyone: float
    count_without_target: float

    def __post_init__(self) -> None:
        check_finite(self.count_everyone, "count_everyone")
        check_finite(self.count_without_target, "count_without_target")

    @property
    def difference(self) -> float:
        return self.count_everyone - self.count_without_target

    @property
    def inferred(self) -> bool:
        """The attacker's guess: the target has the attribute if the difference rounds to >= 1."""
        return bool(np.rint(self.difference) >= 1)


def _check_masks(table: pd.DataFrame, has_attribute: pd.Series, is_target: pd.Series) -> None:
    """``table`` non-empty; both masks boolean Series with one entry per row; the target is someone."""
    check_nonempty(table, "table")
    for name, mask in (("has_attribute", has_attribute), ("is_target", is_target)):
        if not isinstance(mask, pd.Series) or mask.dtype != bool:
            raise ParameterTypeError(f"{name} must be a boolean pandas Series, got {type(mask).__name__}")
        if len(mask) != len(table):
            raise ValueError(f"{name} must have one entry per row of table ({len(table)}), got {len(mask)}")
    if not is_target.any():
        raise ValueError("is_target must select at least one row (the target), got no row")


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
    _check_masks(table, has_attribute, is_target)
    if answer is not None and not callable(answer):
        raise ParameterTypeError(f"answer must be a function from a boolean mask to a count, or None, got {answer!r}")
    answer = answer or (lambda mask: float(mask.sum()))
    return DifferencingResult(answer(has_attribute), answer(has_attribute & ~is_target))


def attack_accuracy(table: pd.DataFrame, has_attribute: pd.Series, is_target: pd.Series, epsilon_per_query: float,
                    trials: int = 2000, rng: np.random.Generator | int | None = None,
                    knows_others: bool = False) -> float:
    """How often the differencing attack guesses right when both counts get Laplace noise.

    Replays the attack ``trials`` times in each of the two neighbouring worlds and averages. The
    worlds are replace-one neighbours: the same rows, only the target's attribute differs. Both
    queries draw from one generator: reusing a seed per query would give both the same noise,
    which cancels in the difference.

    ``knows_others=True`` is the strongest attacker of the threat model: she knows every row but
    the target's, so she needs only the first (noisy) count and subtracts the exact count of the others.
    """
    _check_masks(table, has_attribute, is_target)
    epsilon_per_query = check_epsilon(epsilon_per_query, "epsilon_per_query")
    trials = check_positive_int(trials, "trials")
    if not isinstance(knows_others, (bool, np.bool_)):
        raise ParameterTypeError(f"knows_others must be True or False, got {knows_others!r}")
    rng = as_rng(rng)
    answer = lambda mask: private_count(mask, epsilon_per_query, rng=rng)  # noqa: E731
    right = 0
    for world_has_attribute in (True, False):
        world = has_attribute.copy()
        world[is_target] = world_has_attribute
        if knows_others:
            others = float((world & ~is_target).sum())
            guesses = [np.rint(answer(world) - others) >= 1 for _ in range(trials)]
        else:
            guesses = [differencing_attack(table, world, is_target, answer).inferred for _ in range(trials)]
        right += sum(guess == world_has_attribute for guess in guesses)
    return right / (2 * trials)


def best_guess_bound(epsilon: float) -> float:
    """e^eps / (1 + e^eps): no test can tell epsilon-DP neighbours apart more often, averaged over both.

    Use the epsilon of what actually depends on the target: of the attack's two counts only the
    first does (the second excludes the target), so the per-target bound uses one query's epsilon,
    not the total (Kairouz, Oh & Viswanath 2015: false positives + e^eps false negatives >= 1).
    """
    return 1.0 / (1.0 + math.exp(-check_epsilon(epsilon)))
