"""Checks for the exercises of ``notebooks/03_membership_inference.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..attacks.membership import _lira_online_scores, _Observations, example_loss
from ..attacks.metrics import tpr_at_fpr
from ..validation import ParameterTypeError
from . import Feedback, call_for_number, call_safely, check_close, correct, not_yet

__all__ = ["check_loss_scores", "check_tpr_at_fpr", "check_epsilon_from_rates", "check_lira_scores"]


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
        got, problem = call_for_number(epsilon_from, fpr, fnr, delta, name="your function",
                                       what="epsilon (a float >= 0)")
        if problem is not None:
            return problem
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


def _lira_case(seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidences of a target and 16 shadows on 60 examples of varied difficulty, all inside (0, 1).

    Returns (target_conf, shadow_conf, shadow_in); ``shadow_in[j, i]``: shadow j trained on example i.
    """
    rng = np.random.default_rng(seed)
    n_shadows, n = 16, 60
    out_mean = rng.uniform(-2.0, 3.0, n)       # an OUT shadow's typical phi: each example its own difficulty
    in_mean = out_mean + rng.uniform(0.5, 2.5, n)
    in_std, out_std = rng.uniform(0.3, 1.0, n), rng.uniform(0.3, 1.0, n)
    shadow_in = np.zeros((n_shadows, n), dtype=bool)
    for i in range(n):  # each example IN for between 4 and 12 of the shadows: both fits have data
        shadow_in[rng.permutation(n_shadows)[: rng.integers(4, 13)], i] = True
    phi = np.where(shadow_in, rng.normal(in_mean, in_std, (n_shadows, n)),
                   rng.normal(out_mean, out_std, (n_shadows, n)))
    member = rng.random(n) < 0.5
    target_phi = np.where(member, rng.normal(in_mean, in_std), rng.normal(out_mean, out_std))
    shadow_conf = 1 / (1 + np.exp(-np.clip(phi, -7.0, 7.0)))
    target_conf = 1 / (1 + np.exp(-np.clip(target_phi, -7.0, 7.0)))
    return target_conf, shadow_conf, shadow_in


def _saturated(target_conf: np.ndarray, shadow_conf: np.ndarray,
               shadow_in: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same case where a saturated softmax rounded some confidences to exactly 1 or 0 (float64 does)."""
    target_conf, shadow_conf = target_conf.copy(), shadow_conf.copy()
    target_conf[-1], target_conf[-2] = 1.0, 0.0
    shadow_conf[np.flatnonzero(shadow_in[:, -3])[:2], -3] = 1.0
    shadow_conf[np.flatnonzero(~shadow_in[:, -4])[:1], -4] = 0.0
    return target_conf, shadow_conf, shadow_in.copy()


def _phi(confidence: np.ndarray) -> np.ndarray:
    confidence = np.clip(confidence, 1e-12, 1 - 1e-12)
    return np.log(confidence) - np.log1p(-confidence)


def _gaussian_llr(target: np.ndarray, shadows: np.ndarray, shadow_in: np.ndarray,
                  fit: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """log N(target; IN fit) - log N(target; OUT fit), with ``fit(values, mask) -> (mean, std)``."""
    mean_in, std_in = fit(shadows, shadow_in)
    mean_out, std_out = fit(shadows, ~shadow_in)
    return (-0.5 * ((target - mean_in) / std_in) ** 2 - np.log(std_in)
            + 0.5 * ((target - mean_out) / std_out) ** 2 + np.log(std_out))


def _per_example(ddof: int) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def fit(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        masked = np.where(mask, values, np.nan)
        return np.nanmean(masked, axis=0), np.nanstd(masked, axis=0, ddof=ddof)
    return fit


def _global(ddof: int) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def fit(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.full(values.shape[1], values[mask].mean()), np.full(values.shape[1], values[mask].std(ddof=ddof))
    return fit


def _pooled_std_answers(target: np.ndarray, shadows: np.ndarray, shadow_in: np.ndarray) -> list[np.ndarray]:
    """Per-example means with one standard deviation shared by IN and OUT, or by all examples."""
    answers = [_lira_online_scores(_lira_observations(target, shadows, shadow_in), global_variance=True)]
    n_in, n_out = shadow_in.sum(0), (~shadow_in).sum(0)
    for ddof in (0, 1):
        mean_in, std_in = _per_example(ddof)(shadows, shadow_in)
        mean_out, std_out = _per_example(ddof)(shadows, ~shadow_in)
        squares = (n_in - ddof) * std_in**2 + (n_out - ddof) * std_out**2
        shared = [np.std(shadows, axis=0, ddof=ddof), np.sqrt(squares / (n_in + n_out - 2 * ddof)),
                  np.full(len(target), np.sqrt(squares.sum() / (n_in + n_out - 2 * ddof).sum()))]
        for std in shared:
            answers.append(_gaussian_llr(target, shadows, shadow_in,
                                         lambda v, m, std=std, ddof=ddof: (_per_example(ddof)(v, m)[0], std)))
    return answers


def _lira_observations(target_phi: np.ndarray, shadow_phi: np.ndarray, shadow_in: np.ndarray) -> _Observations:
    """What the package's LiRA sees: two-class logits [phi, 0] with label 0, whose logit-scaled confidence is phi."""
    target_logits = np.stack([target_phi, np.zeros_like(target_phi)], axis=-1)
    shadow_logits = np.stack([shadow_phi, np.zeros_like(shadow_phi)], axis=-1)
    labels = np.zeros(len(target_phi), dtype=int)
    return _Observations(target_logits, labels, shadow_logits, shadow_in, shadow_logits, labels, shadow_in)


def _lira_answer(lira_scores: Callable, target_conf: np.ndarray, shadow_conf: np.ndarray,
                 shadow_in: np.ndarray) -> tuple[np.ndarray | None, Feedback | None]:
    """The student's scores on one case (on copies of the inputs) as a float array, or feedback on what came back."""
    got, problem = call_safely(lira_scores, target_conf.copy(), shadow_conf.copy(), shadow_in.copy())
    if problem is not None:
        return None, problem
    if got is None:
        return None, not_yet("your function returned None: return one score per example (a NumPy array).")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None, not_yet(f"return a NumPy array of numbers, one per example; got {type(got).__name__}.")
    if got.shape != target_conf.shape:
        return None, not_yet(f"expected one score per example (a column of shadow_conf), shape "
                             f"{target_conf.shape}, got shape {got.shape}.")
    return got, None


def check_lira_scores(lira_scores: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Feedback:
    """Exercise 4: online LiRA's per-example log-likelihood ratio from shadow models' confidences.

    Checked against :func:`ppml_lab.attacks.membership.lira_online` with per-example variances
    (``global_variance=False``) on random, seeded shadow confidences; Carlini et al. 2022, Section IV.
    """
    _check_function(lira_scores, "lira_scores")
    target_conf, shadow_conf, shadow_in = _lira_case()
    mine, problem = _lira_answer(lira_scores, target_conf, shadow_conf, shadow_in)
    if problem is not None:
        return problem
    target, shadows, mask = _phi(target_conf), _phi(shadow_conf), shadow_in
    expected = _lira_online_scores(_lira_observations(target, shadows, mask), global_variance=False)

    def same(answer: np.ndarray) -> bool:
        return bool(np.allclose(mine, answer, rtol=1e-6, atol=1e-6))

    if not np.isfinite(mine).all():
        return not_yet("some scores are inf or NaN although every confidence lies strictly between 0 and 1: "
                       "look for a standard deviation of zero or a log of something <= 0.")
    mistakes = [
        ([-expected], "the ratio is upside down: you return log p(OUT) - log p(IN), so members get *low* "
                      "scores. LiRA's score is the IN likelihood over the OUT likelihood."),
        ([_gaussian_llr(target_conf, shadow_conf, mask, _per_example(d)) for d in (0, 1)],
         "you fitted the Gaussians to the raw confidences p. They are squashed against 1 and far from Gaussian: "
         "logit-scale them first, phi = log(p / (1 - p)), for the shadows and for the target."),
        (_pooled_std_answers(target, shadows, mask),
         "your means are per example, but the standard deviation is pooled (shared by IN and OUT, or by all "
         "examples). The package's default (global_variance=True) does that, as Carlini et al. advise for few "
         "shadows; this exercise asks for the full test: a mean AND a standard deviation for the IN shadows and "
         "for the OUT shadows of each example separately."),
        ([_gaussian_llr(target, shadows, mask, _global(d)) for d in (0, 1)],
         "you fitted one IN Gaussian and one OUT Gaussian to all examples together. That is the loss attack's "
         "weakness again: an easy image is confident even when left out. Fit the Gaussians per example "
         "(per column of shadow_conf), on that example's own IN and OUT shadows."),
        ([np.exp(expected)], "that is the likelihood ratio itself; return its log (a difference of log-densities)."),
        ([_gaussian_llr(target, shadows, mask, _per_example(0))],
         "nearly: use the sample standard deviation (ddof=1), as the package does; np.std defaults to ddof=0."),
    ]
    if not same(expected):
        for answers, message in mistakes:
            if any(same(answer) for answer in answers):
                return not_yet(message)
        worst = int(np.argmax(np.abs(mine - expected)))
        return not_yet(f"for the example in column {worst} expected {expected[worst]:.4f}, "
                       f"got {mine[worst]:.4f}. Go through the exercise's steps one by one on that column (if you "
                       "clip p, clip only a hair away from 0 and 1: a wide clip changes confident examples).")
    saturated, problem = _lira_answer(lira_scores, *_saturated(target_conf, shadow_conf, shadow_in))
    if problem is not None:
        return problem
    if not np.isfinite(saturated).all():
        return not_yet("your scores are inf or NaN where a confidence is exactly 1 or 0 (a saturated softmax "
                       "rounds to that): log(p / (1 - p)) is then infinite. Clip p away from 0 and 1 first.")
    return correct("this is online LiRA (lab.attacks.membership.lira_online with global_variance=False): one "
                   "hypothesis test per example, which is why it beats a single loss threshold at low FPR.")
