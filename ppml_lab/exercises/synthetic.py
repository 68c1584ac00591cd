"""Checks for the exercises of ``notebooks/09_synthetic_data.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..validation import ParameterTypeError
from . import Feedback, call_for_number, call_safely, correct, not_yet

__all__ = ["check_noise_scale", "check_selection_probabilities"]


def _check_function(function: Callable, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function itself (pass its name without calling it), "
                                 f"got {function!r} of type {type(function).__name__}")


def _noise_cases(seed: int = 9) -> list[tuple[float, int]]:
    rng = np.random.default_rng(seed)
    return [(float(np.round(rng.uniform(0.005, 2.0), 4)), int(rng.integers(2, 40))) for _ in range(6)]


def check_noise_scale(sigma_for: Callable[[float, int], float]) -> Feedback:
    """Exercise 1: the Gaussian noise std for each of ``n_marginals`` count vectors sharing a rho-zCDP budget."""
    _check_function(sigma_for, "sigma_for")
    for rho, n in _noise_cases():
        got, problem = call_for_number(sigma_for, rho, n, name="sigma_for", what="the noise standard deviation")
        if problem is not None:
            return problem
        expected = math.sqrt(n / (2 * rho))
        if math.isclose(got, expected, rel_tol=1e-6):
            continue
        at = f"at rho={rho}, n_marginals={n}"
        if math.isclose(got, math.sqrt(1 / (2 * rho)), rel_tol=1e-6):
            return not_yet(f"{at} you gave every marginal the whole budget: the n measurements share rho, so "
                           "each gets rho / n_marginals.")
        if math.isclose(got, n / (2 * rho), rel_tol=1e-6):
            return not_yet(f"{at} you returned the variance sigma^2; return the standard deviation.")
        if math.isclose(got, math.sqrt(n / rho), rel_tol=1e-6):
            return not_yet(f"{at} your sigma is sqrt(2) too large: either the factor 2 in rho = Delta^2 / (2 sigma^2) "
                           "is missing or you used the replace-one sensitivity sqrt(2); MST adds or removes a row, so "
                           "Delta = 1.")
        if math.isclose(got, math.sqrt(1 / (2 * rho * n)), rel_tol=1e-6):
            return not_yet(f"{at} more marginals must mean *more* noise each, not less: n * 1/(2 sigma^2) = rho.")
        return not_yet(f"{at} expected a different sigma than {got:.4g}: a count vector has L2 sensitivity 1, one "
                       "Gaussian measurement costs 1/(2 sigma^2) in zCDP, and the costs of n of them add up to rho.")
    return correct("this is the sigma of MST's step 1 and 3 (each gets rho/3).")


def _reference_probabilities(scores: np.ndarray, epsilon: float, sensitivity: float) -> np.ndarray:
    logits = epsilon * scores / (2 * sensitivity)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def _em_cases(seed: int = 4) -> list[tuple[np.ndarray, float, float]]:
    rng = np.random.default_rng(seed)
    return [(np.round(rng.uniform(0, 40, size=int(rng.integers(3, 12))), 1), float(np.round(rng.uniform(0.05, 1.5), 3)),
             float(1 + k % 2)) for k in range(5)]


def check_selection_probabilities(probabilities: Callable[[np.ndarray, float, float], np.ndarray]) -> Feedback:
    """Exercise 2: the exponential mechanism's probability of picking each candidate edge."""
    _check_function(probabilities, "probabilities")
    for scores, epsilon, sensitivity in _em_cases():
        got, problem = call_safely(probabilities, scores.copy(), epsilon, sensitivity)
        if problem is not None:
            return problem
        if got is None:
            return not_yet("your function returned None: return one probability per score (a NumPy array).")
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return not_yet(f"return an array of numbers, got {type(got).__name__}.")
        if got.shape != scores.shape:
            return not_yet(f"expected one probability per score, shape {scores.shape}, got shape {got.shape}.")
        expected = _reference_probabilities(scores, epsilon, sensitivity)
        if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            continue
        at = f"with {len(scores)} scores, epsilon={epsilon}, sensitivity={sensitivity}"
        if not np.all(np.isfinite(got)) or not math.isclose(got.sum(), 1.0, rel_tol=1e-6):
            return not_yet(f"{at} your probabilities sum to {np.nansum(got):.4g}: divide by their sum (and subtract "
                           "the largest exponent first, so exp does not overflow).")
        if sensitivity != 1.0 and np.allclose(got, _reference_probabilities(scores, epsilon, 1.0), rtol=1e-6):
            return not_yet(f"{at} you ignored the sensitivity argument: divide by 2 * sensitivity.")
        if np.allclose(got, _reference_probabilities(scores, 2 * epsilon, sensitivity), rtol=1e-6):
            return not_yet(f"{at} your exponent is twice too large: the exponential mechanism uses "
                           "epsilon * score / (2 * sensitivity).")
        if np.allclose(got, _reference_probabilities(-scores, epsilon, sensitivity), rtol=1e-6):
            return not_yet(f"{at} the highest score must be the most likely pick (MST wants the worst-explained "
                           "pair): check the sign.")
        return not_yet(f"{at} your probabilities differ from exp(epsilon * score / (2 * sensitivity)), normalised.")
    return correct("MST calls this d - 1 times, each with epsilon = sqrt(8 rho / (d - 1)).")
