"""Checks for the exercises of ``notebooks/04_pate.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..pate import DEFAULT_ORDERS, gnmax, log_q_gnmax, rdp_gnmax_data_independent, rdp_to_epsilon
from ..validation import ParameterTypeError
from . import Feedback, call_for_number, call_safely, correct, not_yet

__all__ = ["check_gnmax_answer", "check_gnmax_epsilon", "check_gnmax_q"]


def _check_callable(function: object) -> None:
    if not callable(function):
        raise ParameterTypeError(f"function must be your function (a callable), got {function!r} of type "
                                 f"{type(function).__name__}")


def check_gnmax_answer(function: Callable[[np.ndarray, float, np.random.Generator], int] | None) -> Feedback:
    """Exercise 1: one GNMax answer, the argmax of the votes plus Gaussian noise on every class."""
    if function is None:
        return not_yet("define `my_gnmax(votes, sigma, rng)` and pass it to the check.")
    _check_callable(function)
    clear = np.array([0, 2, 40, 1, 0, 3, 0, 4, 0, 0], dtype=float)
    answers = []
    for seed in range(200):
        answer, problem = call_safely(function, clear.copy(), 1.0, np.random.default_rng(seed))
        if problem is not None:
            return problem
        if answer is None:
            return not_yet("`my_gnmax` returned None: return the winning class as an integer 0-9.")
        try:
            answers.append(int(answer))
        except (TypeError, ValueError):
            return not_yet(f"return a class index (an integer), got {answer!r}.")
    if set(answers) != {2}:
        return not_yet(f"with 40 of 50 teachers voting for class 2 and sigma = 1 the answer should always be 2; "
                       f"you returned {sorted(set(answers))}. Return the argmax of the noisy counts, not a count.")
    tie = np.array([20, 20, 0, 0, 0, 0, 0, 0, 0, 10], dtype=float)
    answers = [int(function(tie.copy(), 4.0, np.random.default_rng(seed))) for seed in range(600)]
    shares = np.bincount(answers, minlength=10) / len(answers)
    reference = np.bincount(gnmax(np.tile(tie, (600, 1)), 4.0, rng=0).labels, minlength=10) / 600
    if shares[0] in (0.0, 1.0):
        return not_yet("on a tied vote (20 votes for class 0 and 20 for class 1) your answer never changes: "
                       "add fresh Gaussian noise N(0, sigma^2) to every count before taking the argmax.")
    if abs(shares[0] - 0.5) > 0.08:
        return not_yet(f"on a tie between classes 0 and 1 each should win about half the time; class 0 won "
                       f"{shares[0]:.0%} of 600 answers. Is the noise added to every class, with the same sigma?")
    if shares[9] > 0.02 + 3 * reference[9]:
        return not_yet(f"class 9 (10 votes, 10 behind) won {shares[9]:.1%} of the time, more than GNMax allows "
                       f"({reference[9]:.1%} in the reference): is your noise's standard deviation sigma "
                       "(not sigma squared, nor a larger scale)?")
    return correct("noise hides which way one teacher voted only when the vote is close; a clear "
                   "majority survives the noise, which is what makes the data-dependent analysis pay off.")


def check_gnmax_epsilon(function: Callable[[float, int, float], float] | None) -> Feedback:
    """Exercise 2: the data-independent epsilon of GNMax after some answered queries."""
    if function is None:
        return not_yet("define `my_gnmax_epsilon(sigma, n_answered, delta)` and pass it to the check.")
    _check_callable(function)
    cases = [(40.0, 300, 1e-5), (10.0, 50, 1e-5), (80.0, 1000, 1e-6)]
    for sigma, n_answered, delta in cases:
        answer, problem = call_for_number(function, sigma, n_answered, delta, name="`my_gnmax_epsilon`",
                                          what="epsilon as a float")
        if problem is not None:
            return problem
        rdp_one = rdp_gnmax_data_independent(sigma, DEFAULT_ORDERS)
        expected = rdp_to_epsilon(n_answered * rdp_one, delta)[0]
        if math.isclose(answer, expected, rel_tol=1e-6):
            continue
        wrong = {
            "sensitivity 1": rdp_to_epsilon(n_answered * rdp_one / 2, delta)[0],
            "one query": rdp_to_epsilon(rdp_one, delta)[0],
            "sigma not squared": rdp_to_epsilon(n_answered * DEFAULT_ORDERS / sigma, delta)[0],
        }
        hints = {
            "sensitivity 1": "that is the epsilon for sensitivity 1. When one teacher changes its vote, one count "
                             "drops by 1 and another rises by 1: the L2 sensitivity is sqrt(2), so the RDP of one "
                             "answer is alpha / sigma^2, not alpha / (2 sigma^2).",
            "one query": "that is the cost of a single answer: RDP composes by adding, so multiply the per-answer "
                         "RDP by n_answered before converting to epsilon.",
            "sigma not squared": "divide the order by sigma squared: the RDP of one answer is alpha / sigma^2.",
        }
        for name, value in wrong.items():
            if math.isclose(answer, value, rel_tol=1e-6):
                return not_yet(f"for sigma={sigma:g}, {n_answered} answers, delta={delta:g} you returned "
                               f"{answer:.4g}; {hints[name]}")
        return not_yet(f"for sigma={sigma:g}, {n_answered} answers and delta={delta:g} the epsilon is {expected:.4g}, "
                       f"you returned {answer:.4g}. Add up alpha / sigma^2 over the answers for every order in "
                       "lab.pate.DEFAULT_ORDERS, then convert with lab.pate.rdp_to_epsilon(total_rdp, delta).")
    return correct("this is the worst case for every answer; the data-dependent analysis can only lower it, "
                   "and does so most when the teachers agree.")


def _q_cases(seed: int = 2018) -> list[tuple[np.ndarray, float]]:
    """Seeded random histograms: clear majorities (tiny q), close votes, and flat ones where the cap binds."""
    rng = np.random.default_rng(seed)
    cases = []
    for kind in ("clear", "close", "flat", "clear", "close"):
        n_teachers = int(rng.integers(50, 251))
        if kind == "clear":
            shares = rng.dirichlet(np.r_[40.0, np.full(9, 1.0)])
        elif kind == "close":
            shares = rng.dirichlet(np.r_[15.0, 12.0, np.full(8, 1.0)])
        else:
            shares = rng.dirichlet(np.full(10, 50.0))
        votes = np.bincount(rng.choice(10, size=n_teachers, p=shares), minlength=10).astype(float)
        votes = votes[rng.permutation(10)]  # the plurality class is not always class 0
        sigma = float(rng.choice([2.0, 5.0, 10.0, 20.0])) if kind != "flat" else float(rng.choice([20.0, 40.0]))
        cases.append((votes, sigma))
    return cases


def _q_union(votes: np.ndarray, scale: float, include_top: bool = False, half: float = 0.5, cap: bool = True) -> float:
    """The union bound with ``scale`` in place of 2 sigma: the reference for the typical mistakes."""
    top = int(np.argmax(votes))
    others = votes if include_top else np.delete(votes, top)
    total = float(sum(half * math.erfc((votes[top] - count) / scale) for count in others))
    return min(total, 1.0 - 1.0 / len(votes)) if cap else total


def check_gnmax_q(function: Callable[[np.ndarray, float], float] | None) -> Feedback:
    """Exercise 3: q-tilde, the data-dependent bound on Pr[GNMax does not return the plurality class].

    Papernot et al. 2018, Prop. 7; checked on seeded random histograms against :func:`ppml_lab.pate.log_q_gnmax`.
    """
    if function is None:
        return not_yet("define `my_gnmax_q(votes, sigma)` and pass it to the check.")
    _check_callable(function)
    for votes, sigma in _q_cases():
        answer, problem = call_for_number(function, votes.copy(), sigma, name="`my_gnmax_q`",
                                          what="the bound q-tilde as a float")
        if problem is not None:
            return problem
        expected = math.exp(log_q_gnmax(votes, sigma))
        if math.isclose(answer, expected, rel_tol=1e-6, abs_tol=1e-300):
            continue
        wrong = {
            "uncapped": (_q_union(votes, 2 * sigma, cap=False), "you forgot the cap: the sum of the other "
                         "classes' terms exceeds 1 here, which no probability can. Cap q-tilde as Papernot et al. "
                         "2018 do (what is the chance of a wrong answer when the noise swamps the votes entirely?)."),
            "capped at 1": (min(_q_union(votes, 2 * sigma, cap=False), 1.0), "you capped the sum at 1: true, but "
                            "looser than the paper's cap. When the noise swamps the votes entirely, how often does "
                            "i* still win?"),
            "top included": (_q_union(votes, 2 * sigma, include_top=True), "you included the plurality "
                             "class i* itself in the sum: its term is 1/2 erfc(0) = 1/2, but returning i* is not a "
                             "mistake. Sum over the other classes only."),
            "sigma": (_q_union(votes, sigma), "you divided the gap by sigma: the noise on n_i* and the "
                      "noise on n_i both count, so their difference has variance 2 sigma^2, and the argument of "
                      "erfc is the gap over 2 sigma (sqrt(2) for erfc's own scale times sqrt(2) sigma)."),
            "one noise": (_q_union(votes, math.sqrt(2.0) * sigma), "you used the tail of one noise, "
                          "N(0, sigma^2): the difference of the two noisy counts has variance 2 sigma^2, so the "
                          "argument of erfc is the gap over 2 sigma."),
            "no half": (_q_union(votes, 2 * sigma, half=1.0), "you dropped the factor 1/2: "
                        "Pr[N(0, s^2) >= g] = 1/2 erfc(g / (sqrt(2) s)), not erfc(...)."),
        }
        for value, hint in wrong.values():
            if math.isclose(answer, value, rel_tol=1e-6, abs_tol=1e-300):
                return not_yet(f"for votes {votes.astype(int).tolist()} and sigma={sigma:g} you returned "
                               f"{answer:.4g}; {hint}")
        return not_yet(f"for votes {votes.astype(int).tolist()} and sigma={sigma:g} you returned {answer:.4g}, "
                       "which is not q-tilde. Check the plurality class i*, the classes you sum over, the argument "
                       "of erfc (a gap between two noisy counts) and the cap.")
    return correct("q-tilde is computed from the teachers' votes on private data: change one teacher and it "
                   "changes, so the data-dependent epsilon built from it is itself private. Publish the "
                   "data-independent epsilon, or noise the data-dependent one first (smooth sensitivity).")
