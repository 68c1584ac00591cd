"""PATE's noisy aggregators, one signature (votes, noise_scale, rng, threshold, threshold_noise) -> Aggregation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..seeding import as_rng
from ..validation import (
    check_array,
    check_nonnegative,
    check_one_of,
    check_positive,
)

__all__ = ["MECHANISMS", "Aggregation", "lnmax", "gnmax", "confident_gnmax", "aggregate"]


@dataclass
class Aggregation:
    """Labels released by a noisy aggregator (-1 where a query was not answered) and its parameters."""

    labels: np.ndarray
    answered: np.ndarray
    mechanism: str
    noise_scale: float
    threshold: float | None = None
    threshold_noise: float | None = None

    def __post_init__(self) -> None:
        self.labels = check_array(self.labels, "labels", ndim=1, dtype=np.int64)
        self.answered = check_array(self.answered, "answered", ndim=1, dtype=bool)
        if len(self.answered) != len(self.labels):
            raise ValueError(f"answered must have one flag per label ({len(self.labels)}), got {len(self.answered)}")
        check_one_of(self.mechanism, MECHANISMS, "mechanism")
        self.noise_scale = check_positive(self.noise_scale, "noise_scale")

    @property
    def n_queries(self) -> int:
        return len(self.labels)

    @property
    def n_answered(self) -> int:
        return int(self.answered.sum())


def _check_votes(votes: np.ndarray) -> np.ndarray:
    votes = check_array(votes, "votes", finite=False, nonempty=False)
    if votes.ndim == 1:
        votes = votes[None, :]
    if votes.ndim != 2 or votes.shape[0] == 0 or votes.shape[1] < 2:
        raise ValueError("votes must be a (n_queries >= 1, n_classes >= 2) array of vote counts, "
                         f"got shape {votes.shape}")
    if not np.all(np.isfinite(votes)) or votes.min() < 0:
        raise ValueError("votes must be finite, non-negative vote counts")
    return votes


def _check_noise_scale(noise_scale: float, name: str = "noise_scale") -> float:
    """The noise's scale, in votes: a finite number > 0."""
    return check_positive(noise_scale, name)


def lnmax(votes: np.ndarray, noise_scale: float, rng: np.random.Generator | int | None = None, *,
          threshold: float | None = None, threshold_noise: float | None = None) -> Aggregation:
    """Laplace noisy max: argmax of votes + Laplace(``noise_scale``) (Papernot et al. 2017, Eq. 1; 1/gamma = scale).

    Each answer is (2 / noise_scale, 0)-DP. ``threshold``/``threshold_noise`` are unused (shared signature).
    """
    votes, noise_scale, rng = _check_votes(votes), _check_noise_scale(noise_scale), as_rng(rng)
    labels = np.argmax(votes + rng.laplace(0.0, noise_scale, size=votes.shape), axis=1)
    return Aggregation(labels, np.ones(len(votes), dtype=bool), "lnmax", noise_scale)


def gnmax(votes: np.ndarray, noise_scale: float, rng: np.random.Generator | int | None = None, *,
          threshold: float | None = None, threshold_noise: float | None = None) -> Aggregation:
    """Gaussian noisy max: argmax of votes + N(0, ``noise_scale``^2) (Papernot et al. 2018, Sec. 4.1).

    ``threshold``/``threshold_noise`` are unused (shared signature).
    """
    votes, noise_scale, rng = _check_votes(votes), _check_noise_scale(noise_scale), as_rng(rng)
    labels = np.argmax(votes + rng.normal(0.0, noise_scale, size=votes.shape), axis=1)
    return Aggregation(labels, np.ones(len(votes), dtype=bool), "gnmax", noise_scale)


def confident_gnmax(votes: np.ndarray, noise_scale: float, rng: np.random.Generator | int | None = None, *,
                    threshold: float | None = None, threshold_noise: float | None = None) -> Aggregation:
    """Confident-GNMax (Papernot et al. 2018, Algorithm 1): answer only if max vote + N(0, threshold_noise^2)
    >= ``threshold``, then answer with GNMax(``noise_scale``).

    Defaults: ``threshold`` = 60% of the teachers, ``threshold_noise`` = 2 x ``noise_scale``. Unanswered
    queries get label -1; they still cost privacy (the threshold check looked at the votes).
    """
    votes, noise_scale, rng = _check_votes(votes), _check_noise_scale(noise_scale), as_rng(rng)
    n_teachers = float(votes[0].sum())
    threshold = 0.6 * n_teachers if threshold is None else check_nonnegative(threshold, "threshold")
    threshold_noise = 2.0 * noise_scale if threshold_noise is None else _check_noise_scale(threshold_noise,
                                                                                           "threshold_noise")
    answered = votes.max(axis=1) + rng.normal(0.0, threshold_noise, size=len(votes)) >= threshold
    labels = np.argmax(votes + rng.normal(0.0, noise_scale, size=votes.shape), axis=1)
    return Aggregation(np.where(answered, labels, -1), answered, "confident_gnmax", noise_scale,
                       threshold, threshold_noise)


MECHANISMS: dict[str, Callable[..., Aggregation]] = {"lnmax": lnmax, "gnmax": gnmax, "confident_gnmax": confident_gnmax}


def aggregate(votes: np.ndarray, mechanism: str, noise_scale: float, rng: np.random.Generator | int | None = None,
              *, threshold: float | None = None, threshold_noise: float | None = None) -> Aggregation:
    """Run the aggregator named ``mechanism`` ("lnmax", "gnmax" or "confident_gnmax") on ``votes``."""
    check_one_of(mechanism, MECHANISMS, "mechanism")
    return MECHANISMS[mechanism](votes, noise_scale, rng, threshold=threshold, threshold_noise=threshold_noise)
