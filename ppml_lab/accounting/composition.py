"""Composition theorems: what k mechanisms on the same data spend together (basic and advanced).

Taught in ``notebooks/01_laplace_mechanism.ipynb``; :class:`~ppml_lab.accounting.ledger.PrivacyLedger`
reports the tighter of the two.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import ParameterTypeError, check_delta, check_epsilon

__all__ = ["basic_composition", "advanced_composition"]


def _check_budgets(epsilons: list[float], deltas: list[float] | None) -> tuple[list[float], list[float]]:
    """Validated lists of per-mechanism epsilons and deltas (deltas default to zeros)."""
    if isinstance(epsilons, (str, bytes)) or not hasattr(epsilons, "__len__") or np.ndim(epsilons) != 1:
        raise ParameterTypeError(f"epsilons must be a list of numbers, got {type(epsilons).__name__}")
    if len(epsilons) == 0:
        raise ValueError("epsilons must be non-empty (one epsilon per mechanism), got an empty list")
    epsilons = [check_epsilon(e, f"epsilons[{i}]") for i, e in enumerate(epsilons)]
    if deltas is None:
        return epsilons, [0.0] * len(epsilons)
    if isinstance(deltas, (str, bytes)) or not hasattr(deltas, "__len__") or np.ndim(deltas) != 1:
        raise ParameterTypeError(f"deltas must be a list of numbers or None, got {type(deltas).__name__}")
    if len(deltas) != len(epsilons):
        raise ValueError(f"deltas must have one entry per epsilon ({len(epsilons)}), got {len(deltas)}")
    return epsilons, [check_delta(d, f"deltas[{i}]") for i, d in enumerate(deltas)]


def basic_composition(epsilons: list[float], deltas: list[float] | None = None) -> tuple[float, float]:
    """(sum of epsilons, sum of deltas): k mechanisms run on the same data (Dwork et al. 2006)."""
    epsilons, deltas = _check_budgets(epsilons, deltas)
    return float(sum(epsilons)), float(min(sum(deltas), 1.0))


def advanced_composition(
    epsilons: list[float], deltas: list[float] | None = None, delta_prime: float = 1e-6
) -> tuple[float, float]:
    """Advanced composition (Dwork, Rothblum & Vadhan 2010), heterogeneous form.

    eps_total = sqrt(2 ln(1/delta') * sum eps_i^2) + sum eps_i (e^eps_i - 1),
    delta_total = sum delta_i + delta'. Beats basic composition only for many small queries;
    for k equal epsilons it reads sqrt(2k ln(1/delta')) eps + k eps (e^eps - 1)
    (Dwork & Roth 2014, Theorem 3.20; the heterogeneous sum comes out of the same proof).
    """
    epsilons, deltas = _check_budgets(epsilons, deltas)
    delta_prime = check_delta(delta_prime, "delta_prime")
    if delta_prime == 0.0:
        raise ValueError("delta_prime must be in (0, 1) for advanced composition, got 0.0")
    return _advanced_from_sums(sum(e * e for e in epsilons), sum(e * math.expm1(e) for e in epsilons), sum(deltas),
                              delta_prime)


def _advanced_from_sums(sum_squares: float, sum_expm1: float, sum_deltas: float,
                       delta_prime: float) -> tuple[float, float]:
    """Advanced composition from its running sums (sum eps_i^2, sum eps_i (e^eps_i - 1), sum delta_i): O(1) a query."""
    eps_total = math.sqrt(2.0 * math.log(1.0 / delta_prime) * sum_squares) + sum_expm1
    return float(eps_total), float(min(sum_deltas + delta_prime, 1.0))
