"""Checks for the exercises of ``notebooks/03_membership_inference.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..attacks.membership import example_loss
from ..attacks.metrics import tpr_at_fpr
from ..validation import ParameterTypeError
from . import Feedback, call_safely, check_close, correct, not_yet

__all__ = ["check_loss_scores", "check_tpr_at_fpr", "check_epsilon_from_rates"]


def _cases(seed: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    cases = []
    for n in (50, 400, 2000):
        is_member = rng.random(n) < 0.5
        scores = np.round(rng.normal(is_member * 0.7, 1.0), 2)
        cases.append((scores, is_member))
    return cases


def _check_function(function: Callable, name: str) -> None:
    """The student passes their function itself (not its result) to a check."""
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function itself (pass its name without calling it), "
                                 f"got {function!r} of type {type(function).__name__}")


def check_loss_scores(score: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Feedback:
    """Exercise 1: the loss attack's score from logits and labels (higher = more likely a member)."""
    _check_function(score, "score")
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 4, size=(200, 10))
    labels = rng.integers(10, size=200)
    got, problem = call_safely(score, logits, labels)
    if problem is not None:
        return problem
    if got is None:
        return not_yet("your function returned None: return one score per example (a NumPy array).")
    got = np.asarray(got, dtype=float)
    if got.shape != (200,):
        return not_yet(f"expected one score per example, shape (200,), got shape {got.shape}.")
    loss = example_loss(logits, labels)
    if np.allclose(got, loss):
        return not_yet("that is the loss itself. Members have *low* loss, and a score must be *high* for "
                       "members: flip the sign.")
    log_p = -loss
    if np.allclose(got, np.exp(log_p)):
        return not_yet("the probability of the true class ranks examples the same way, but the attack "
                       "is defined on the loss: return -loss = log p(y | x).")
    if not np.allclose(got, log_p, rtol=1e-6, atol=1e-6):
        return not_yet("the score should be minus the cross-entropy loss of the true label: "
                       "logit[y] - log(sum(exp(logits))). Check that you pick each row's own label.")
    return correct("-loss is the whole of Yeom et al.'s attack: the rest is choosing a threshold.")


def check_tpr_at_fpr(tpr_at: Callable[[np.ndarray, np.ndarray, float], float]) -> Feedback:
    """Exercise 2: the true-positive rate at a false-positive rate of at most ``fpr``."""
    _check_function(tpr_at, "tpr_at")
    for scores, is_member in _cases():
        for rate in (0.01, 0.1):
            got, problem = call_safely(tpr_at, scores, is_member, rate)
            if problem is not None:
                return problem
            if got is None:
                return not_yet("your function returned None: return the TPR (a float in [0, 1]).")
            expected = tpr_at_fpr(scores, is_member, rate)
            if not check_close(got, expected, abs_tol=1e-9):
                n_out = int((~is_member).sum())
                if check_close(got, rate):
                    return not_yet("you returned the FPR. Find the strictest threshold whose FPR stays within "
                                   "the limit, and return the fraction of members above it.")
                if float(got) > expected:
                    return not_yet(f"with {len(scores)} scores and fpr={rate}, your TPR {float(got):.4f} is above "
                                   f"the right {expected:.4f}: your threshold lets more than {rate:.0%} of the "
                                   f"{n_out} non-members through (count ties in the score as flagged too).")
                return not_yet(f"with {len(scores)} scores and fpr={rate}, expected TPR {expected:.4f}, got "
                               f"{float(got):.4f}: take the *lowest* threshold at which at most {rate:.0%} of "
                               "non-members score at or above it.")
    return correct("this is the number Carlini et al. ask every attack paper to report.")


def check_epsilon_from_rates(epsilon_from: Callable[[float, float, float], float]) -> Feedback:
    """Exercise 3: the epsilon an attack with a given (FPR, FNR) proves, by TPR <= e^eps FPR + delta."""
    _check_function(epsilon_from, "epsilon_from")
    cases = [(0.01, 0.5, 0.0), (0.001, 0.9, 1e-5), (0.2, 0.01, 0.0), (0.5, 0.5, 0.0), (0.05, 0.3, 0.01)]
    for fpr, fnr, delta in cases:
        got, problem = call_safely(epsilon_from, fpr, fnr, delta)
        if problem is not None:
            return problem
        if got is None:
            return not_yet("your function returned None: return epsilon (a float >= 0).")
        expected = max(0.0, math.log((1 - delta - fnr) / fpr), math.log((1 - delta - fpr) / fnr))
        if not check_close(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            if check_close(got, math.log((1 - fnr) / fpr), rel_tol=1e-6) and delta > 0:
                return not_yet(f"at delta={delta} you forgot delta: TPR <= e^eps FPR + delta gives "
                               "e^eps >= (TPR - delta) / FPR with TPR = 1 - FNR.")
            if fpr > fnr and check_close(got, max(0.0, math.log((1 - delta - fnr) / fpr)), rel_tol=1e-6):
                return not_yet(f"at FPR={fpr}, FNR={fnr} the mirror-image attack (guess the opposite) proves "
                               "more: also try e^eps >= (1 - delta - FPR) / FNR and keep the larger.")
            if float(got) < 0:
                return not_yet(f"at FPR={fpr}, FNR={fnr} the bound is negative: an attack no better than "
                               "guessing proves nothing, so return 0.")
            return not_yet(f"at FPR={fpr}, FNR={fnr}, delta={delta}: expected {expected:.4f}, got {float(got):.4f}.")
    return correct("with intervals on FPR and FNR instead of point values, this is Jagielski et al.'s audit "
                   "(audit.epsilon_lower_bound_from_rates).")
