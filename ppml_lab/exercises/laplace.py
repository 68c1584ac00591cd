"""Checks for the exercises of ``notebooks/01_laplace_mechanism.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..accounting import PrivacyLedger
from ..mechanisms import estimate_proportion_from_rr, randomized_response
from ..queries import mean_sensitivity
from ..validation import ParameterTypeError, check_epsilon
from . import Feedback, call_safely, check_close, correct, not_yet

__all__ = ["check_mean_query_scale", "check_rr_estimator", "check_queries_answered"]


def check_mean_query_scale(sensitivity: float | None, scale: float | None, n: int = 2000, lower: float = 0,
                           upper: float = 100, epsilon: float = 0.5) -> Feedback:
    """Exercise 1: sensitivity and Laplace scale of a clamped mean of ``n`` values (replace-one neighbours)."""
    right_sensitivity = mean_sensitivity(n, lower, upper)
    right_scale = right_sensitivity / check_epsilon(epsilon)
    if sensitivity is None or scale is None:
        return not_yet("fill in both `sensitivity` and `scale` (numbers), then run the cell again.")
    if not check_close(sensitivity, right_sensitivity):
        if check_close(sensitivity, upper - lower):
            return not_yet(f"{sensitivity:g} is the sensitivity of the *sum* of clamped ages. The mean divides "
                           f"the sum by n = {n}, so one person moves it by at most (upper - lower) / n.")
        if check_close(sensitivity, 1.0):
            return not_yet("1 is the sensitivity of a count. One person's age can move the mean by up to "
                           "(upper - lower) / n.")
        return not_yet(f"sensitivity {sensitivity!r} is off: how far can one person, with an age anywhere "
                       f"in [{lower}, {upper}], move an average over n = {n} people?")
    if not check_close(scale, right_scale):
        if check_close(scale, right_sensitivity * epsilon):
            return not_yet("you multiplied by epsilon: the scale is sensitivity / epsilon (a smaller budget "
                           "needs *more* noise).")
        return not_yet(f"the sensitivity is right; the Laplace scale is sensitivity / epsilon with epsilon = "
                       f"{epsilon}, which is not {scale!r}.")
    return correct(f"sensitivity {right_sensitivity:g}, scale {right_scale:g}: the typical error of this "
                   "mean is a tenth of a year, because one person matters little among 2,000.")


def check_rr_estimator(estimate: Callable[[np.ndarray, float], float]) -> Feedback:
    """Exercise 2: an unbiased estimator of the true 'yes' rate from randomized responses."""
    if not callable(estimate):
        raise ParameterTypeError(f"estimate must be the student's function (responses, epsilon) -> float, "
                                 f"got {type(estimate).__name__}")
    rng = np.random.default_rng(11)
    for epsilon, true_rate in [(0.5, 0.2), (1.0, 0.7), (3.0, 0.05)]:
        truth = rng.random(20_000) < true_rate
        responses = randomized_response(truth, epsilon, rng=rng)
        got, problem = call_safely(estimate, responses, epsilon)
        if problem is not None:
            return problem
        expected = estimate_proportion_from_rr(responses, epsilon)
        if got is None:
            return not_yet("your function returned None: return the estimated proportion (a float).")
        if check_close(got, responses.mean(), rel_tol=1e-9):
            return not_yet("you returned the raw fraction of 'yes' answers. The coin flips pull it toward "
                           "1/2; undo that: (observed - (1 - p)) / (2p - 1) with p = e^eps / (1 + e^eps).")
        if not check_close(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            return not_yet(f"at epsilon={epsilon} and a true rate of {true_rate}, your estimate is "
                           f"{float(got):.4f} but the unbiased estimate from these responses is {expected:.4f}. "
                           "Check the truth probability p = e^eps / (1 + e^eps).")
    return correct("your estimator undoes the coin flips: unbiased, though its variance grows as epsilon shrinks.")


def check_queries_answered(answer: int | None, epsilon_budget: float = 1.0, delta_budget: float = 1e-5,
                           query_epsilon: float = 0.01, delta_prime: float = 1e-6) -> Feedback:
    """Exercise 3: how many queries at ``query_epsilon`` fit a budget under advanced composition."""
    if answer is not None and (isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number))):
        raise ParameterTypeError(f"answer must be a whole number of queries (or None), got {answer!r}")
    query_epsilon = check_epsilon(query_epsilon, "query_epsilon")
    ledger = PrivacyLedger(epsilon_budget, delta_budget, composition="advanced", delta_prime=delta_prime)
    n = 0
    while ledger.can_spend(query_epsilon):
        ledger.spend(f"q{n}", query_epsilon)
        n += 1
    basic = int(round(epsilon_budget / query_epsilon))
    if answer is None:
        return not_yet("set `answer` to a whole number of queries.")
    if not float(answer).is_integer():
        return not_yet(f"{answer} is not a whole number: count the queries the ledger accepts.")
    if int(answer) == n:
        return correct(f"{n} queries: advanced composition grows like sqrt(k), so it fits more than the "
                       f"{basic} that basic composition allows once k is large (the ledger reports whichever "
                       "bound is tighter).")
    if int(answer) == basic:
        return not_yet(f"{basic} is what *basic* composition allows (epsilons add up). Use a ledger with "
                       "composition='advanced' and count how many spends it accepts.")
    return not_yet(f"{answer} is not it: spend {query_epsilon} repeatedly on a PrivacyLedger(composition="
                   f"'advanced', delta_prime={delta_prime}) until can_spend is False, and count.")
