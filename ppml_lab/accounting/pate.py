"""PATE's Renyi-DP bounds per answer: GNMax, LNMax and Confident-GNMax's threshold check, data-independent
and data-dependent (Papernot et al. 2018, Thm. 6, Prop. 7 and 8; Papernot et al. 2017, Thm. 3).

The formulas mirror the authors' reference implementation, ``tensorflow/privacy``
``research/pate_2018/core.py`` (``compute_logq_gaussian``, ``rdp_gaussian``, ``rdp_data_independent_gaussian``,
``compute_logpr_answered``, ``compute_logq_laplace``, ``rdp_pure_eps``). Composed over queries and converted
to (epsilon, delta) by :mod:`ppml_lab.pate.analysis` with :func:`ppml_lab.accounting.rdp_to_epsilon`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..validation import check_array, check_nonnegative, check_positive
from .rdp import DEFAULT_ORDERS, check_orders

__all__ = [
    "log_q_gnmax", "rdp_gnmax_data_independent", "rdp_gnmax_data_dependent", "log_q_lnmax",
    "rdp_lnmax_data_independent", "rdp_lnmax_data_dependent", "log_pr_answered", "rdp_threshold_data_independent",
    "rdp_threshold_data_dependent",
]


def _check_histogram(votes: np.ndarray) -> np.ndarray:
    """One vote histogram: a 1-D array of >= 2 finite, non-negative counts."""
    votes = check_array(votes, "votes", ndim=1)
    if votes.size < 2 or votes.min() < 0:
        raise ValueError(f"votes must be one histogram of >= 2 non-negative vote counts, got {votes.tolist()}")
    return votes


def _log1mexp(x: float) -> float:
    """log(1 - exp(x)) for x <= 0, accurate near both ends."""
    if x >= 0:
        return -math.inf
    return math.log1p(-math.exp(x)) if x < -math.log(2) else math.log(-math.expm1(x))


def log_q_gnmax(votes: np.ndarray, noise_scale: float) -> float:
    """ln of an upper bound on q = Pr[GNMax answer != plurality] (Papernot et al. 2018, Prop. 7).

    Union bound over the other classes: q <= sum_j Pr[N(0, 2 sigma^2) >= n_top - n_j], capped at 1 - 1/k.
    """
    votes, noise_scale = _check_histogram(votes), check_positive(noise_scale, "noise_scale")
    top = int(np.argmax(votes))
    gaps = votes[top] - np.delete(votes, top)
    log_q = float(np.logaddexp.reduce(stats.norm.logsf(gaps, scale=math.sqrt(2.0) * noise_scale)))
    return min(log_q, math.log1p(-1.0 / len(votes)))


def rdp_gnmax_data_independent(noise_scale: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of one GNMax answer whatever the votes: alpha / sigma^2 (Papernot et al. 2018, Prop. 8).

    One teacher moving its vote changes the histogram by sqrt(2) in L2, so this is the Gaussian
    mechanism's alpha * 2 / (2 sigma^2).
    """
    noise_scale = check_positive(noise_scale, "noise_scale")
    return check_orders(orders) / noise_scale**2


def _rdp_from_log_q(log_q: float, sigma: float, orders: np.ndarray) -> np.ndarray:
    """Theorem 6 of Papernot et al. 2018 with the orders mu1, mu2 of Prop. 10, capped by the
    data-independent alpha / sigma^2 (same case analysis as the reference ``rdp_gaussian``)."""
    orders = np.asarray(orders, dtype=float)
    data_independent = orders / sigma**2
    if log_q == -math.inf:  # the answer is fixed: nothing is revealed
        return np.zeros_like(orders)
    mu_2 = sigma * math.sqrt(-log_q)
    mu_1 = mu_2 + 1.0
    eps_1, eps_2 = mu_1 / sigma**2, mu_2 / sigma**2
    applies = (orders < mu_1) & (mu_2 > 1.0)
    q_small_enough = (log_q <= (mu_2 - 1.0) * eps_2 - mu_2 * (math.log1p(1.0 / (mu_1 - 1.0))
                                                                + math.log1p(1.0 / (mu_2 - 1.0)))
                      and -log_q > eps_2) if mu_2 > 1.0 else False
    if not (applies.any() and q_small_enough):
        return data_independent
    log_1mq = _log1mexp(log_q)
    log_a = (orders - 1.0) * (log_1mq - _log1mexp((log_q + eps_2) * (1.0 - 1.0 / mu_2)))
    log_b = (orders - 1.0) * (eps_1 - log_q / (mu_1 - 1.0))
    data_dependent = np.logaddexp(log_1mq + log_a, log_q + log_b) / (orders - 1.0)
    return np.where(applies, np.minimum(data_independent, data_dependent), data_independent)


def rdp_gnmax_data_dependent(votes: np.ndarray, noise_scale: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of one GNMax answer on these votes (Papernot et al. 2018, Thm. 6 with q from Prop. 7).

    Never above :func:`rdp_gnmax_data_independent`; far below it when the teachers agree.
    """
    noise_scale = check_positive(noise_scale, "noise_scale")
    return _rdp_from_log_q(log_q_gnmax(votes, noise_scale), noise_scale, check_orders(orders))


def log_q_lnmax(votes: np.ndarray, noise_scale: float) -> float:
    """ln of an upper bound on Pr[LNMax answer != plurality] (Papernot et al. 2017, Lemma 4).

    Pr[class j beats the top class] <= (2 + gap / b) / (4 exp(gap / b)), summed over j, capped at 1 - 1/k.
    """
    votes, noise_scale = _check_histogram(votes), check_positive(noise_scale, "noise_scale")
    top = int(np.argmax(votes))
    scaled_gaps = (votes[top] - np.delete(votes, top)) / noise_scale
    log_q = float(np.logaddexp.reduce(np.log(2.0 + scaled_gaps) - math.log(4.0) - scaled_gaps))
    return min(log_q, math.log1p(-1.0 / len(votes)))


def rdp_lnmax_data_independent(noise_scale: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of one LNMax answer: it is eps = 2 / b pure DP, hence (alpha, min(eps, alpha eps^2 / 2))-RDP
    (Bun & Steinke 2016, Prop. 1.4)."""
    noise_scale = check_positive(noise_scale, "noise_scale")
    orders = check_orders(orders)
    pure_epsilon = 2.0 / noise_scale
    return np.minimum(pure_epsilon, 0.5 * pure_epsilon**2 * orders)


def rdp_lnmax_data_dependent(votes: np.ndarray, noise_scale: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of one LNMax answer on these votes (Papernot et al. 2017, Thm. 3, as in the reference ``rdp_pure_eps``)."""
    noise_scale = check_positive(noise_scale, "noise_scale")
    orders = check_orders(orders)
    pure_epsilon = 2.0 / noise_scale
    log_q = log_q_lnmax(votes, noise_scale)
    bound = rdp_lnmax_data_independent(noise_scale, orders)
    if math.exp(log_q) <= 1.0 / (math.exp(pure_epsilon) + 1.0):
        log_1mq = math.log1p(-math.exp(log_q))
        log_t = np.logaddexp(log_1mq + (log_1mq - _log1mexp(pure_epsilon + log_q)) * (orders - 1.0),
                             log_q + pure_epsilon * (orders - 1.0))
        bound = np.minimum(bound, log_t / (orders - 1.0))
    return bound


def log_pr_answered(votes: np.ndarray, threshold: float, threshold_noise: float) -> float:
    """ln Pr[max vote + N(0, threshold_noise^2) >= threshold]: the chance Confident-GNMax answers."""
    votes = _check_histogram(votes)
    threshold = check_nonnegative(threshold, "threshold")
    threshold_noise = check_positive(threshold_noise, "threshold_noise")
    return float(stats.norm.logsf(threshold - float(np.max(votes)), scale=threshold_noise))


def rdp_threshold_data_independent(threshold_noise: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of Confident-GNMax's threshold check: the max vote moves by at most 1, so alpha / (2 sigma_1^2)."""
    threshold_noise = check_positive(threshold_noise, "threshold_noise")
    return check_orders(orders) / (2.0 * threshold_noise**2)


def rdp_threshold_data_dependent(votes: np.ndarray, threshold: float, threshold_noise: float,
                                 orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of the threshold check on these votes: Thm. 6 with q = min(Pr[answer], Pr[no answer]) and
    sigma = sqrt(2) sigma_1 (sensitivity 1 instead of GNMax's sqrt 2), as in the reference code."""
    log_p = log_pr_answered(votes, threshold, threshold_noise)
    return _rdp_from_log_q(min(log_p, _log1mexp(log_p)), math.sqrt(2.0) * threshold_noise, check_orders(orders))
