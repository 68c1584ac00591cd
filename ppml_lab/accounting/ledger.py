"""A privacy ledger that refuses to overspend, reporting the tighter of basic and advanced composition.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (and lesson 04's averaging attack).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ..validation import ParameterTypeError, check_delta, check_epsilon, check_one_of
from .composition import _advanced_from_sums

__all__ = ["BudgetExceededError", "PrivacyLedger"]

_TOLERANCE = 1e-12  # float slack when comparing a spend with the budget


def _add(sums: tuple[float, float, float, float], epsilon: float, delta: float) -> tuple[float, float, float, float]:
    """The running sums after one more (epsilon, delta) query."""
    sum_eps, sum_delta, sum_squares, sum_expm1 = sums
    return (sum_eps + epsilon, sum_delta + delta, sum_squares + epsilon * epsilon,
            sum_expm1 + epsilon * math.expm1(epsilon))


class BudgetExceededError(RuntimeError):
    """Raised when a spend would take the ledger past its budget; the ledger is left unchanged."""


@dataclass
class PrivacyLedger:
    """Tracks (epsilon, delta) spent per named query against a total budget.

    ``composition="basic"`` adds epsilons and deltas. ``composition="advanced"`` reports the
    *tighter* of two valid bounds on the same spends: basic composition (sum of epsilons, sum of
    deltas) and :func:`advanced_composition` (which costs an extra ``delta_prime``). It takes the bound
    with the smaller epsilon among those whose delta fits ``delta_budget``; :attr:`spent_bound` says
    which one that is. A few large spends are cheaper under basic composition, many small ones
    under advanced. A spend that would exceed the budget under every bound raises
    :class:`BudgetExceededError` and records nothing.

    Caveat: when later epsilons are chosen after seeing earlier answers, the advanced bound
    strictly needs its "privacy filter" form (Rogers et al. 2016), slightly looser than this one.
    """

    epsilon_budget: float
    delta_budget: float = 0.0
    composition: str = "basic"
    delta_prime: float = 1e-6
    _entries: list[tuple[str, float, float]] = field(default_factory=list, init=False, repr=False)
    _cached_sums: tuple[int, tuple[float, float, float, float]] = field(default=(0, (0.0, 0.0, 0.0, 0.0)),
                                                                       init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.epsilon_budget = check_epsilon(self.epsilon_budget, "epsilon_budget")
        self.delta_budget = check_delta(self.delta_budget, "delta_budget")
        check_one_of(self.composition, ("basic", "advanced"), "composition")
        self.delta_prime = check_delta(self.delta_prime, "delta_prime")
        if self.composition == "advanced" and (self.delta_prime == 0.0 or self.delta_prime > self.delta_budget):
            raise ValueError(
                f"delta_prime must be in (0, delta_budget={self.delta_budget}] for advanced composition, "
                f"got {self.delta_prime!r}"
            )

    def _sums(self, entries: list[tuple[str, float, float]]) -> tuple[float, float, float, float]:
        """(sum eps, sum delta, sum eps^2, sum eps (e^eps - 1)) over ``entries``, added in order (as ``sum`` does)."""
        sums = (0.0, 0.0, 0.0, 0.0)
        for _, epsilon, delta in entries:
            sums = _add(sums, epsilon, delta)
        return sums

    def _bounds(self, sums: tuple[float, float, float, float]) -> list[tuple[str, float, float]]:
        """Every valid (name, epsilon, delta) bound under this ledger's composition, from the running sums;
        the same numbers as :func:`basic_composition` and :func:`advanced_composition` on the entries."""
        sum_eps, sum_delta, sum_squares, sum_expm1 = sums
        bounds = [("basic", float(sum_eps), float(min(sum_delta, 1.0)))]
        if self.composition == "advanced":
            bounds.append(("advanced", *_advanced_from_sums(sum_squares, sum_expm1, sum_delta, self.delta_prime)))
        return bounds

    def _tightest(self, n_entries: int, sums: tuple[float, float, float, float]) -> tuple[str, float, float]:
        """The bound with the smallest epsilon among those within the delta budget (basic if none is)."""
        if n_entries == 0:
            return ("basic", 0.0, 0.0)
        bounds = self._bounds(sums)
        within_delta = [b for b in bounds if b[2] <= self.delta_budget + _TOLERANCE]
        return min(within_delta, key=lambda b: (b[1], b[2])) if within_delta else bounds[0]

    def _after(self, epsilon: float, delta: float) -> tuple[float, float]:
        """(epsilon, delta) spent if one more (epsilon, delta) query were recorded."""
        return self._tightest(len(self._entries) + 1, _add(self._running, epsilon, delta))[1:]

    @property
    def spent(self) -> tuple[float, float]:
        """(epsilon, delta) spent so far: the tightest valid bound (see :attr:`spent_bound`)."""
        return self._tightest(len(self._entries), self._running)[1:]

    @property
    def _running(self) -> tuple[float, float, float, float]:
        """The running sums of the recorded entries (kept up to date by :meth:`spend`)."""
        if self._cached_sums[0] != len(self._entries):
            self._cached_sums = (len(self._entries), self._sums(self._entries))
        return self._cached_sums[1]

    @property
    def spent_bound(self) -> str:
        """Which composition theorem gives :attr:`spent`: ``"basic"`` or ``"advanced"``."""
        return self._tightest(len(self._entries), self._running)[0]

    @property
    def spent_epsilon(self) -> float:
        return self.spent[0]

    @property
    def remaining_epsilon(self) -> float:
        return max(self.epsilon_budget - self.spent_epsilon, 0.0)

    def can_spend(self, epsilon: float, delta: float = 0.0) -> bool:
        """Whether a further (epsilon, delta) query would stay within the budget."""
        eps_total, delta_total = self._after(check_epsilon(epsilon), check_delta(delta))
        return eps_total <= self.epsilon_budget + _TOLERANCE and delta_total <= self.delta_budget + _TOLERANCE

    def spend(self, query: str, epsilon: float, delta: float = 0.0) -> tuple[float, float]:
        """Record ``query`` costing (epsilon, delta); return the total spent afterwards."""
        if not isinstance(query, str) or not query.strip():
            raise ParameterTypeError(f"query must be a non-empty string naming the query, got {query!r}")
        epsilon, delta = check_epsilon(epsilon), check_delta(delta)
        if not self.can_spend(epsilon, delta):
            eps_after, delta_after = self._after(epsilon, delta)
            raise BudgetExceededError(
                f"query {query!r} (epsilon={epsilon:g}, delta={delta:g}) would bring the total to "
                f"epsilon={eps_after:.4g}, delta={delta_after:.3g}, over the budget "
                f"epsilon={self.epsilon_budget:g}, delta={self.delta_budget:g}; nothing was spent"
            )
        sums = _add(self._running, epsilon, delta)
        self._entries.append((query, epsilon, delta))
        self._cached_sums = (len(self._entries), sums)
        return self.spent

    def set_budget(self, epsilon_budget: float, delta_budget: float | None = None) -> None:
        """Change the budget; refuse one smaller than what is already spent."""
        epsilon_budget = check_epsilon(epsilon_budget, "epsilon_budget")
        delta_budget = self.delta_budget if delta_budget is None else check_delta(delta_budget, "delta_budget")
        eps_spent, delta_spent = self.spent
        if epsilon_budget < eps_spent:
            raise ValueError(f"epsilon_budget must be >= the epsilon already spent ({eps_spent:.4g}), "
                             f"got {epsilon_budget!r}")
        if delta_budget < delta_spent:
            raise ValueError(f"delta_budget must be >= the delta already spent ({delta_spent:.3g}), "
                             f"got {delta_budget!r}")
        self.epsilon_budget, self.delta_budget = epsilon_budget, delta_budget

    def history(self) -> pd.DataFrame:
        """One row per recorded query with the cumulative spend after it."""
        rows, sums = [], (0.0, 0.0, 0.0, 0.0)
        for i, (query, eps, delta) in enumerate(self._entries):
            sums = _add(sums, eps, delta)
            bound, cum_eps, cum_delta = self._tightest(i + 1, sums)
            rows.append({"query": query, "epsilon": eps, "delta": delta,
                         "cumulative_epsilon": cum_eps, "cumulative_delta": cum_delta, "bound": bound})
        return pd.DataFrame(rows, columns=["query", "epsilon", "delta", "cumulative_epsilon", "cumulative_delta",
                                           "bound"])
