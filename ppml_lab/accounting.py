"""Privacy budgets: composition theorems and a ledger that refuses to overspend.

Taught in ``notebooks/01_laplace_mechanism.ipynb``. For DP-SGD and other many-step
algorithms the lab uses Opacus's RDP/PRV accountants instead (``ppml_lab.dpsgd``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from .validation import check_delta, check_epsilon

__all__ = ["basic_composition", "advanced_composition", "BudgetExceededError", "PrivacyLedger"]


def basic_composition(epsilons: list[float], deltas: list[float] | None = None) -> tuple[float, float]:
    """(sum of epsilons, sum of deltas): k mechanisms run on the same data (Dwork et al. 2006)."""
    deltas = [0.0] * len(epsilons) if deltas is None else deltas
    if len(deltas) != len(epsilons):
        raise ValueError(f"deltas must have one entry per epsilon ({len(epsilons)}), got {len(deltas)}")
    for eps in epsilons:
        check_epsilon(eps)
    for d in deltas:
        check_delta(d)
    return float(sum(epsilons)), float(min(sum(deltas), 1.0))


def advanced_composition(
    epsilons: list[float], deltas: list[float] | None = None, delta_prime: float = 1e-6
) -> tuple[float, float]:
    """Advanced composition (Dwork, Rothblum & Vadhan 2010), heterogeneous form.

    eps_total = sqrt(2 ln(1/delta') * sum eps_i^2) + sum eps_i (e^eps_i - 1),
    delta_total = sum delta_i + delta'. Beats basic composition only for many small queries;
    for k equal epsilons it reads sqrt(2k ln(1/delta')) eps + k eps (e^eps - 1).
    """
    basic_composition(epsilons, deltas)  # validates
    deltas = [0.0] * len(epsilons) if deltas is None else deltas
    delta_prime = check_delta(delta_prime, "delta_prime")
    if delta_prime == 0.0:
        raise ValueError("delta_prime must be in (0, 1) for advanced composition, got 0.0")
    sum_sq = sum(e * e for e in epsilons)
    eps_total = math.sqrt(2.0 * math.log(1.0 / delta_prime) * sum_sq) + sum(e * math.expm1(e) for e in epsilons)
    return float(eps_total), float(min(sum(deltas) + delta_prime, 1.0))


class BudgetExceededError(RuntimeError):
    """Raised when a spend would take the ledger past its budget; the ledger is left unchanged."""


@dataclass
class PrivacyLedger:
    """Tracks (epsilon, delta) spent per named query against a total budget.

    ``composition="basic"`` adds epsilons and deltas; ``"advanced"`` composes with
    :func:`advanced_composition` using ``delta_prime``. A spend that would exceed the budget
    raises :class:`BudgetExceededError` and records nothing.
    """

    epsilon_budget: float
    delta_budget: float = 0.0
    composition: str = "basic"
    delta_prime: float = 1e-6
    _entries: list[tuple[str, float, float]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.epsilon_budget = check_epsilon(self.epsilon_budget, "epsilon_budget")
        self.delta_budget = check_delta(self.delta_budget, "delta_budget")
        if self.composition not in ("basic", "advanced"):
            raise ValueError(f"composition must be 'basic' or 'advanced', got {self.composition!r}")
        if self.composition == "advanced":
            self.delta_prime = check_delta(self.delta_prime, "delta_prime")
            if self.delta_prime == 0.0 or self.delta_prime > self.delta_budget:
                raise ValueError(
                    f"delta_prime must be in (0, delta_budget={self.delta_budget}] for advanced composition, "
                    f"got {self.delta_prime!r}"
                )

    def _compose(self, entries: list[tuple[str, float, float]]) -> tuple[float, float]:
        if not entries:
            return 0.0, 0.0
        epsilons = [e for _, e, _ in entries]
        deltas = [d for _, _, d in entries]
        if self.composition == "basic":
            return basic_composition(epsilons, deltas)
        return advanced_composition(epsilons, deltas, self.delta_prime)

    @property
    def spent(self) -> tuple[float, float]:
        """(epsilon, delta) spent so far under this ledger's composition theorem."""
        return self._compose(self._entries)

    @property
    def spent_epsilon(self) -> float:
        return self.spent[0]

    @property
    def remaining_epsilon(self) -> float:
        return max(self.epsilon_budget - self.spent_epsilon, 0.0)

    def can_spend(self, epsilon: float, delta: float = 0.0) -> bool:
        """Whether a further (epsilon, delta) query would stay within the budget."""
        eps_total, delta_total = self._compose([*self._entries, ("?", check_epsilon(epsilon), check_delta(delta))])
        tolerance = 1e-12
        return eps_total <= self.epsilon_budget + tolerance and delta_total <= self.delta_budget + tolerance

    def spend(self, query: str, epsilon: float, delta: float = 0.0) -> tuple[float, float]:
        """Record ``query`` costing (epsilon, delta); return the total spent afterwards."""
        epsilon, delta = check_epsilon(epsilon), check_delta(delta)
        if not self.can_spend(epsilon, delta):
            eps_after, delta_after = self._compose([*self._entries, (query, epsilon, delta)])
            raise BudgetExceededError(
                f"query {query!r} (epsilon={epsilon:g}, delta={delta:g}) would bring the total to "
                f"epsilon={eps_after:.4g}, delta={delta_after:.3g}, over the budget "
                f"epsilon={self.epsilon_budget:g}, delta={self.delta_budget:g}; nothing was spent"
            )
        self._entries.append((query, epsilon, delta))
        return self.spent

    def set_budget(self, epsilon_budget: float, delta_budget: float | None = None) -> None:
        """Change the budget; refuse one smaller than what is already spent."""
        epsilon_budget = check_epsilon(epsilon_budget, "epsilon_budget")
        delta_budget = self.delta_budget if delta_budget is None else check_delta(delta_budget, "delta_budget")
        eps_spent, delta_spent = self.spent
        if epsilon_budget < eps_spent:
            raise ValueError(f"epsilon_budget must be >= the epsilon already spent ({eps_spent:.4g}), got {epsilon_budget!r}")
        if delta_budget < delta_spent:
            raise ValueError(f"delta_budget must be >= the delta already spent ({delta_spent:.3g}), got {delta_budget!r}")
        self.epsilon_budget, self.delta_budget = epsilon_budget, delta_budget

    def history(self) -> pd.DataFrame:
        """One row per recorded query with the cumulative spend after it."""
        rows = []
        for i, (query, eps, delta) in enumerate(self._entries):
            cum_eps, cum_delta = self._compose(self._entries[: i + 1])
            rows.append({"query": query, "epsilon": eps, "delta": delta,
                         "cumulative_epsilon": cum_eps, "cumulative_delta": cum_delta})
        return pd.DataFrame(rows, columns=["query", "epsilon", "delta", "cumulative_epsilon", "cumulative_delta"])
