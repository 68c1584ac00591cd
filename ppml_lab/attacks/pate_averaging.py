"""Averaging attack on a PATE aggregator that answers without a budget.

Taught in ``notebooks/04_pate.ipynb``. GNMax hides one teacher's vote behind Gaussian noise, but
every answer draws fresh noise: an attacker who may ask the *same* query again and again learns
the probability with which each class is released, and those probabilities are a smooth function
of the vote histogram. Enough answers therefore (i) reconstruct the vote margin between two
classes and (ii) tell apart two neighbouring ensembles (with and without one person's data), which
is exactly what differential privacy forbids. The guarantee survives only because the accountant
charges every answer: composition makes ``n`` answers cost about ``sqrt(n)`` times one, and a budget
(:class:`ppml_lab.pate.BudgetedGNMax` on a :class:`ppml_lab.accounting.PrivacyLedger`) refuses the
answers the attack needs. The same point, for counting queries, is Dinur & Nissim 2003.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..pate import gnmax, rdp_gnmax_data_independent, rdp_to_epsilon
from ..seeding import as_rng
from ..validation import check_array, check_delta, check_positive, check_positive_int

__all__ = ["gnmax_answer_probabilities", "estimate_margin", "distinguishing_accuracy", "accuracy_bound"]


def _histogram(votes: np.ndarray, name: str = "votes") -> np.ndarray:
    votes = check_array(votes, name, ndim=1)
    if votes.size < 2 or votes.min() < 0:
        raise ValueError(f"{name} must be one histogram of >= 2 non-negative vote counts, got {votes.tolist()}")
    return votes


def gnmax_answer_probabilities(votes: np.ndarray, noise_scale: float, n_nodes: int = 96) -> np.ndarray:
    """Pr[GNMax releases class j] for every class j, computed (not sampled): what infinitely many answers reveal.

    Pr[j] = E_x[prod_{k != j} Phi((n_j - n_k) / sigma + x)] with x ~ N(0, 1), by Gauss-Hermite quadrature
    with ``n_nodes`` nodes (deterministic, so the lab's numbers are the same on every machine).
    """
    votes, noise_scale = _histogram(votes), check_positive(noise_scale, "noise_scale")
    n_nodes = check_positive_int(n_nodes, "n_nodes", minimum=8)
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    weights = weights / math.sqrt(2.0 * math.pi)
    gaps = (votes[:, None] - votes[None, :]) / noise_scale  # gaps[j, k] = (n_j - n_k) / sigma
    log_cdf = stats.norm.logcdf(gaps[:, :, None] + nodes[None, None, :])  # (j, k, node)
    log_cdf[np.arange(len(votes)), np.arange(len(votes)), :] = 0.0  # k != j
    probabilities = np.exp(log_cdf.sum(axis=1)) @ weights
    return probabilities / probabilities.sum()


def estimate_margin(answers: np.ndarray, top: int, runner_up: int, noise_scale: float) -> float:
    """Reconstruct the vote margin n_top - n_runner_up from repeated GNMax answers to one query.

    Among answers naming one of the two classes, class ``top`` wins with probability
    Phi(margin / (sigma sqrt 2)) when the other classes hardly ever win; inverting the observed share
    (with a half-count correction, so 0 and 1 stay finite) estimates the margin. Its error shrinks like
    1 / sqrt(number of answers): the noise averages away.
    """
    answers = check_array(answers, "answers", ndim=1, dtype=None)
    if not np.issubdtype(answers.dtype, np.integer) or answers.min() < 0:
        raise ValueError(f"answers must be released class labels (integers >= 0), got dtype {answers.dtype}")
    top = check_positive_int(top, "top", minimum=0)
    runner_up = check_positive_int(runner_up, "runner_up", minimum=0)
    if top == runner_up:
        raise ValueError(f"runner_up must differ from top ({top}), got {runner_up}")
    noise_scale = check_positive(noise_scale, "noise_scale")
    wins, losses = int((answers == top).sum()), int((answers == runner_up).sum())
    share = (wins + 0.5) / (wins + losses + 1.0)
    return float(noise_scale * math.sqrt(2.0) * stats.norm.ppf(share))


def distinguishing_accuracy(votes_in: np.ndarray, votes_out: np.ndarray, noise_scale: float,
                            n_answers: list[int], trials: int = 200,
                            rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """How often an attacker who sees ``n`` GNMax answers to one query tells which ensemble answered.

    The two histograms are the same query's votes with and without one person's data (the neighbours
    of differential privacy); the attacker knows both (DP's worst case) and does the likelihood-ratio
    test on the counts of released classes, with the exact answer probabilities of
    :func:`gnmax_answer_probabilities`. Each trial picks a world (half the trials each), asks the
    real aggregator :func:`ppml_lab.pate.gnmax` ``max(n_answers)`` times, and is scored at every ``n`` on
    its first ``n`` answers. Returns one row per ``n``: ``n_answers`` and ``accuracy`` (0.5 is a coin flip).
    """
    votes_in, votes_out = _histogram(votes_in, "votes_in"), _histogram(votes_out, "votes_out")
    if votes_in.shape != votes_out.shape:
        raise ValueError(f"votes_out must have the shape of votes_in {votes_in.shape}, got {votes_out.shape}")
    noise_scale = check_positive(noise_scale, "noise_scale")
    n_answers = check_array(n_answers, "n_answers", ndim=1, dtype=None)
    if not np.issubdtype(n_answers.dtype, np.integer) or n_answers.min() < 1:
        raise ValueError(f"n_answers must list positive integers, got {n_answers.tolist()}")
    trials = check_positive_int(trials, "trials", minimum=2)
    rng = as_rng(rng)
    log_ratio = (np.log(np.maximum(gnmax_answer_probabilities(votes_in, noise_scale), 1e-300))
                 - np.log(np.maximum(gnmax_answer_probabilities(votes_out, noise_scale), 1e-300)))
    longest, n_classes = int(n_answers.max()), len(votes_in)
    right = np.zeros(len(n_answers))
    for trial in range(trials):
        member = trial % 2 == 0
        answers = gnmax(np.tile(votes_in if member else votes_out, (longest, 1)), noise_scale, rng).labels
        counts = np.cumsum(np.eye(n_classes, dtype=np.int64)[answers], axis=0)[n_answers - 1]
        says_member = counts @ log_ratio > 0
        right += says_member == member
    return pd.DataFrame({"n_answers": n_answers, "accuracy": right / trials})


def accuracy_bound(noise_scale: float, n_answers: int, delta: float = 1e-5) -> float:
    """The highest accuracy (e^eps + delta) / (1 + e^eps) that any test may reach against ``n_answers``
    GNMax answers if they are (eps, delta)-DP, with eps their data-independent RDP cost at ``delta``
    (Kairouz et al. 2015: TPR <= e^eps FPR + delta, for both worlds)."""
    noise_scale = check_positive(noise_scale, "noise_scale")
    n_answers = check_positive_int(n_answers, "n_answers")
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) for a Gaussian mechanism, got 0.0")
    epsilon = min(rdp_to_epsilon(n_answers * rdp_gnmax_data_independent(noise_scale), delta)[0], 700.0)
    return float(min(1.0, (math.exp(epsilon) + delta) / (1.0 + math.exp(epsilon))))
