"""How to score a membership-inference attack: ROC, AUC, balanced accuracy, TPR at low FPR.

Taught in ``notebooks/03_membership_inference.ipynb``. Carlini et al. 2022 ("Membership Inference
Attacks From First Principles", Section III) argue that average metrics (AUC, balanced accuracy)
hide what matters: an attack is dangerous when it is *confidently* right about a few people, so
report the true-positive rate at a low false-positive rate (1%, 0.1%) and plot ROC curves on
log-log axes. With a few thousand candidates those rates rest on a handful of examples, so every
rate here comes with a Clopper-Pearson interval. The differential-privacy bound on any attack's
ROC curve (Kairouz, Oh & Viswanath 2015) is :func:`dp_roc_bound`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonnegative,
    check_positive_int,
    check_probability,
)

__all__ = ["roc_curve", "roc_auc", "auc_confidence_interval", "tpr_at_fpr", "balanced_accuracy",
           "best_threshold", "clopper_pearson", "dp_roc_bound", "AttackMetrics", "attack_metrics",
           "metrics_table"]


def _check_scores(scores: np.ndarray, is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = check_array(scores, "scores", finite=False)
    is_member = np.asarray(is_member)
    if scores.ndim != 1 or is_member.shape != scores.shape:
        raise ValueError(f"scores and is_member must be 1-D arrays of the same length, got shapes "
                         f"{scores.shape} and {is_member.shape}")
    if is_member.dtype != bool:
        if not np.isin(is_member, (0, 1)).all():
            raise ValueError("is_member must hold booleans (or 0/1), got other values")
        is_member = is_member.astype(bool)
    if is_member.all() or not is_member.any():
        raise ValueError(f"is_member must contain both members and non-members, got {int(is_member.sum())} "
                         f"members out of {len(is_member)}")
    if np.isnan(scores).any():
        raise ValueError("scores must not contain NaN")
    return scores, is_member


def roc_curve(scores: np.ndarray, is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) of the rule "member if score >= threshold", from strict to lenient.

    The first point is (0, 0) at threshold +inf; ties are one point (like sklearn's ``roc_curve``
    with ``drop_intermediate=False``).
    """
    scores, is_member = _check_scores(scores, is_member)
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_members = scores[order], is_member[order]
    true_positives = np.cumsum(sorted_members)
    false_positives = np.cumsum(~sorted_members)
    last_of_tie = np.r_[np.diff(sorted_scores) != 0, True]  # keep the last index of each run of equal scores
    tpr = np.r_[0.0, true_positives[last_of_tie] / is_member.sum()]
    fpr = np.r_[0.0, false_positives[last_of_tie] / (~is_member).sum()]
    return fpr, tpr, np.r_[np.inf, sorted_scores[last_of_tie]]


def roc_auc(scores: np.ndarray, is_member: np.ndarray) -> float:
    """Area under the ROC curve (trapezoid rule): the chance a random member outscores a random non-member."""
    fpr, tpr, _ = roc_curve(scores, is_member)
    return float(np.trapezoid(tpr, fpr))


def auc_confidence_interval(auc: float, n_members: int, n_nonmembers: int,
                            confidence: float = 0.95) -> tuple[float, float]:
    """Normal-approximation interval for an AUC (Hanley & McNeil 1982 standard error), clipped to [0, 1]."""
    auc = check_probability(auc, "auc")
    n_members = check_positive_int(n_members, "n_members")
    n_nonmembers = check_positive_int(n_nonmembers, "n_nonmembers")
    confidence = check_probability(confidence, "confidence", open_low=True, open_high=True)
    q1, q2 = auc / (2 - auc), 2 * auc ** 2 / (1 + auc)
    variance = (auc * (1 - auc) + (n_members - 1) * (q1 - auc ** 2)
                + (n_nonmembers - 1) * (q2 - auc ** 2)) / (n_members * n_nonmembers)
    half = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(max(variance, 0.0))
    return max(0.0, auc - half), min(1.0, auc + half)


def tpr_at_fpr(scores: np.ndarray, is_member: np.ndarray, fpr: float) -> float:
    """The highest TPR among thresholds whose FPR is at most ``fpr`` (Carlini et al. 2022's metric)."""
    fpr = check_probability(fpr, "fpr")
    fprs, tprs, _ = roc_curve(scores, is_member)
    return float(tprs[fprs <= fpr + 1e-12].max())


def balanced_accuracy(predictions: np.ndarray, is_member: np.ndarray) -> float:
    """Mean of the accuracy on members and on non-members (0.5 is guessing, whatever the class balance)."""
    predictions = np.asarray(predictions)
    if predictions.dtype != bool and not np.isin(predictions, (0, 1)).all():
        raise ValueError("predictions must hold booleans (or 0/1), got other values")
    predictions = predictions.astype(bool)
    _, is_member = _check_scores(np.zeros(np.shape(is_member)), is_member)
    if predictions.shape != is_member.shape:
        raise ValueError(f"predictions and is_member must have the same shape, got {predictions.shape} "
                         f"and {is_member.shape}")
    return float((predictions[is_member].mean() + (~predictions[~is_member]).mean()) / 2)


def best_threshold(scores: np.ndarray, is_member: np.ndarray) -> float:
    """The threshold with the highest balanced accuracy on (scores, is_member).

    Attacks call it on their *shadow* models' scores, where the attacker knows the answer, never on
    the target's candidates (that would use the test labels).
    """
    fpr, tpr, thresholds = roc_curve(scores, is_member)
    best = int(np.argmax(tpr - fpr))  # balanced accuracy = (tpr + 1 - fpr) / 2
    return float(thresholds[best])


def clopper_pearson(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact two-sided binomial interval for a rate ``successes / trials`` (Clopper & Pearson 1934)."""
    confidence = check_probability(confidence, "confidence", open_low=True, open_high=True)
    trials = check_positive_int(trials, "trials")
    successes = check_positive_int(successes, "successes", minimum=0)
    if successes > trials:
        raise ValueError(f"successes must be an integer in [0, {trials}], got {successes!r}")
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    high = 1.0 if successes == trials else float(stats.beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return low, high


def dp_roc_bound(fpr: np.ndarray, epsilon: float, delta: float = 0.0) -> np.ndarray:
    """The highest TPR any attack can reach at ``fpr`` against an (epsilon, delta)-DP training algorithm.

    TPR <= e^eps * FPR + delta, and, applied to the opposite guess, TPR <= 1 - e^-eps * (1 - delta - FPR)
    (Kairouz, Oh & Viswanath 2015, Theorem 2.1); the first line is the one that matters at low FPR.
    """
    epsilon = check_nonnegative(epsilon, "epsilon")
    delta = check_delta(delta)
    fpr = check_array(fpr, "fpr", nonempty=False)
    if fpr.size and (fpr.min() < 0 or fpr.max() > 1):
        raise ValueError(f"fpr must lie in [0, 1], got values from {fpr.min()} to {fpr.max()}")
    bound = np.minimum(math.exp(epsilon) * fpr + delta, 1 - math.exp(-epsilon) * (1 - delta - fpr))
    return np.clip(bound, 0.0, 1.0)


@dataclass(frozen=True)
class AttackMetrics:
    """One attack's scorecard; ``*_ci`` are intervals at ``confidence``."""

    auc: float
    auc_ci: tuple[float, float]
    balanced_accuracy: float
    tpr_at_1pct_fpr: float
    tpr_at_1pct_fpr_ci: tuple[float, float]
    tpr_at_01pct_fpr: float
    tpr_at_01pct_fpr_ci: tuple[float, float]
    n_members: int
    n_nonmembers: int
    confidence: float


def attack_metrics(scores: np.ndarray, is_member: np.ndarray, predictions: np.ndarray | None = None,
                   confidence: float = 0.95) -> AttackMetrics:
    """AUC, balanced accuracy (of ``predictions``, or of the best threshold if None) and TPR at 1% / 0.1% FPR.

    TPR intervals are Clopper-Pearson on the members caught; with 1,000 non-members, "0.1% FPR"
    allows a single false positive, which is why the interval matters.
    """
    scores, is_member = _check_scores(scores, is_member)
    confidence = check_probability(confidence, "confidence", open_low=True, open_high=True)
    if predictions is not None and np.shape(predictions) != scores.shape:
        raise ValueError(f"predictions must have the shape of scores {scores.shape}, got {np.shape(predictions)}")
    n_members, n_nonmembers = int(is_member.sum()), int((~is_member).sum())
    auc = roc_auc(scores, is_member)
    if predictions is None:
        predictions = scores >= best_threshold(scores, is_member)
    tprs = {rate: tpr_at_fpr(scores, is_member, rate) for rate in (0.01, 0.001)}
    intervals = {rate: clopper_pearson(int(round(tpr * n_members)), n_members, confidence)
                 for rate, tpr in tprs.items()}
    return AttackMetrics(auc, auc_confidence_interval(auc, n_members, n_nonmembers, confidence),
                         balanced_accuracy(predictions, is_member), tprs[0.01], intervals[0.01],
                         tprs[0.001], intervals[0.001], n_members, n_nonmembers, confidence)


def metrics_table(metrics: dict[str, AttackMetrics], digits: int = 3) -> pd.DataFrame:
    """One row per attack, rounded, with intervals as "low-high" strings (for display in a lesson)."""
    if not isinstance(metrics, dict) or not metrics:
        raise ValueError(f"metrics must be a non-empty dict of attack name -> AttackMetrics, got {metrics!r}")
    wrong = [name for name, m in metrics.items() if not isinstance(m, AttackMetrics)]
    if wrong:
        raise ParameterTypeError(f"metrics must map attack names to AttackMetrics, got other values for {wrong}")
    digits = check_positive_int(digits, "digits")
    def interval(pair: tuple[float, float]) -> str:
        return f"{pair[0]:.{digits}f}-{pair[1]:.{digits}f}"

    rows = {name: {"AUC": round(m.auc, digits), "AUC CI": interval(m.auc_ci),
                   "balanced acc.": round(m.balanced_accuracy, digits),
                   "TPR@1%FPR": round(m.tpr_at_1pct_fpr, digits), "TPR@1%FPR CI": interval(m.tpr_at_1pct_fpr_ci),
                   "TPR@0.1%FPR": round(m.tpr_at_01pct_fpr, digits),
                   "TPR@0.1%FPR CI": interval(m.tpr_at_01pct_fpr_ci)}
            for name, m in metrics.items()}
    return pd.DataFrame.from_dict(rows, orient="index")
