"""PATE: teachers on disjoint data vote, noise hides any one teacher, a student learns the noisy labels.

Taught in ``notebooks/04_pate.ipynb``. Follows Papernot et al. 2017, "Semi-supervised Knowledge
Transfer for Deep Learning from Private Training Data" (LNMax) and Papernot et al. 2018,
"Scalable Private Learning with PATE" (GNMax, Confident-GNMax and their data-dependent RDP
analysis). The privacy formulas mirror the authors' reference implementation,
``tensorflow/privacy`` ``research/pate_2018/core.py`` (``compute_logq_gaussian``,
``rdp_gaussian``, ``rdp_data_independent_gaussian``, ``compute_logpr_answered``,
``compute_logq_laplace``, ``rdp_pure_eps``) and ``ICLR2018/rdp_cumulative.py`` (per-query
costs summed over queries). RDP is converted to (epsilon, delta) with Opacus's
``get_privacy_spent``, so PATE and DP-SGD epsilons in the lab are computed the same way.

Why it protects individuals: each private example sits in exactly one teacher's partition, so
adding or removing it changes at most one teacher, i.e. one vote moves from one class to another.
The aggregators below add noise calibrated to that change.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch import nn

from .accounting import BudgetExceededError, PrivacyLedger
from .cache import cached
from .datasets import ImageDataset
from .models import MODELS, build_model
from .seeding import as_rng
from .training import evaluate, predict_proba, train_classifier
from .validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonempty,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = [
    "DEFAULT_ORDERS", "MECHANISMS", "TeacherEnsemble", "Aggregation", "PrivacyReport", "PATEResult",
    "partition_indices", "train_teachers", "teacher_predictions", "vote_histograms",
    "lnmax", "gnmax", "confident_gnmax", "aggregate",
    "log_q_gnmax", "rdp_gnmax_data_independent", "rdp_gnmax_data_dependent",
    "log_q_lnmax", "rdp_lnmax_data_independent", "rdp_lnmax_data_dependent",
    "log_pr_answered", "rdp_threshold_data_independent", "rdp_threshold_data_dependent",
    "per_query_rdp", "rdp_to_epsilon", "analyze_privacy", "cumulative_epsilon",
    "split_private_public", "train_student", "run_pate", "privacy_utility_grid", "search_epsilon",
    "gnmax_answer_epsilon", "BudgetedGNMax", "compare_with_dpsgd",
]

#: Renyi orders used for every PATE bound: fine near 1 (strong noise), up to 500 (the data-dependent
#: bound of a confident ensemble is best at high orders, as in the reference implementation).
DEFAULT_ORDERS = np.concatenate([np.linspace(1.05, 2.0, 20)[:-1], np.arange(2.0, 100.5, 0.5),
                                 np.geomspace(100.0, 500.0, 30)[1:]])

# ----------------------------------------------------------------------------------------------
# Teachers
# ----------------------------------------------------------------------------------------------


@contextmanager
def _one_torch_thread() -> Iterator[None]:
    """Run torch on one thread inside the block: PATE trains hundreds of tiny models, for which
    thread start-up and contention cost far more than they save (measured 10-40x slower on 2
    busy cores); the previous setting is restored afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _check_dataset(data: ImageDataset, name: str) -> ImageDataset:
    """Refuse anything but a non-empty :class:`ImageDataset`."""
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"{name} must be an ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, name)
    return data


def _check_histogram(votes: np.ndarray) -> np.ndarray:
    """One vote histogram: a 1-D array of >= 2 finite, non-negative counts."""
    votes = check_array(votes, "votes", ndim=1)
    if votes.size < 2 or votes.min() < 0:
        raise ValueError(f"votes must be one histogram of >= 2 non-negative vote counts, got {votes.tolist()}")
    return votes


def _check_orders(orders: np.ndarray) -> np.ndarray:
    orders = check_array(orders, "orders", ndim=1)
    if orders.min() <= 1:
        raise ValueError(f"orders must be Renyi orders > 1, got a minimum of {orders.min()!r}")
    return orders


@dataclass
class TeacherEnsemble:
    """Teachers trained on disjoint partitions of the private data (``partitions[i]`` -> teacher i)."""

    models: list[nn.Module]
    partitions: list[np.ndarray]
    model_name: str
    n_classes: int = 10

    def __post_init__(self) -> None:
        if not isinstance(self.models, (list, tuple)) or not self.models \
                or not all(isinstance(m, nn.Module) for m in self.models):
            raise ValueError(f"models must be a non-empty list of torch modules, got {type(self.models).__name__}")
        if not isinstance(self.partitions, (list, tuple)) or len(self.partitions) != len(self.models):
            got = len(self.partitions) if hasattr(self.partitions, "__len__") else repr(self.partitions)
            raise ValueError(f"partitions must list one index array per teacher ({len(self.models)}), got {got}")
        self.n_classes = check_positive_int(self.n_classes, "n_classes", minimum=2)

    def __len__(self) -> int:
        return len(self.models)


def partition_indices(n_examples: int, n_teachers: int, rng: np.random.Generator | int | None = 0) -> list[np.ndarray]:
    """Split ``range(n_examples)`` at random into ``n_teachers`` disjoint parts of (almost) equal size."""
    n_examples = check_positive_int(n_examples, "n_examples")
    n_teachers = check_positive_int(n_teachers, "n_teachers")
    if n_teachers > n_examples:
        raise ValueError(f"n_teachers must be <= the number of private examples ({n_examples}) so that every "
                         f"teacher gets at least one example, got {n_teachers}")
    order = as_rng(rng).permutation(n_examples)
    return [np.sort(part) for part in np.array_split(order, n_teachers)]


def train_teachers(private: ImageDataset, n_teachers: int, *, model: str = "logistic", epochs: int = 30,
                   batch_size: int = 16, lr: float = 0.1, seed: int = 0, use_cache: bool = True,
                   progress: bool = False) -> TeacherEnsemble:
    """Train ``n_teachers`` models, each on its own disjoint slice of ``private`` (Papernot et al. 2017, Sec. 2.1).

    Teachers are built with :func:`ppml_lab.models.build_model` and trained with
    :func:`ppml_lab.training.train_classifier`; the ensemble is cached by all inputs (data included).
    """
    _check_dataset(private, "private")
    n_teachers = check_positive_int(n_teachers, "n_teachers")
    if n_teachers > len(private):
        raise ValueError(f"n_teachers must be <= the number of private examples ({len(private)}), got {n_teachers}: "
                         "each teacher needs its own non-empty partition")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    check_one_of(model, MODELS, "model")
    seed = check_positive_int(seed, "seed", minimum=0)
    n_classes = int(private.labels.max()) + 1

    def compute() -> TeacherEnsemble:
        from .progress import Progress

        partitions = partition_indices(len(private), n_teachers, rng=seed)
        models = []
        with _one_torch_thread():
            bar = Progress(partitions, desc=f"training {n_teachers} teachers", disable=not progress)
            for i, part in enumerate(bar):
                teacher = build_model(model, seed=seed * 100_003 + i)
                train_classifier(teacher, ImageDataset(private.images[part], private.labels[part]), epochs=epochs,
                                 batch_size=batch_size, lr=lr, seed=seed * 100_003 + i)
                models.append(teacher)
        return TeacherEnsemble(models, partitions, model, n_classes)

    inputs = {"data": private.fingerprint(), "n_teachers": n_teachers, "model": model, "epochs": epochs,
              "batch_size": batch_size, "lr": lr, "seed": seed}
    return cached("pate_teachers", inputs, compute, enabled=use_cache)


def teacher_predictions(ensemble: TeacherEnsemble, images: np.ndarray) -> np.ndarray:
    """Each teacher's predicted class for each image: integer array of shape (n_teachers, n_images)."""
    if not isinstance(ensemble, TeacherEnsemble):
        raise ParameterTypeError(f"ensemble must be a TeacherEnsemble, got {type(ensemble).__name__}")
    images = check_array(images, "images", dtype=np.float32)
    if images.ndim < 2:
        raise ValueError(f"images must be an (n_images, ...) array of images, got shape {images.shape}")
    with _one_torch_thread():
        return np.stack([predict_proba(teacher, images).argmax(1) for teacher in ensemble.models])


def vote_histograms(predictions: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Count the teachers' votes per class: (n_teachers, n_images) labels -> (n_images, n_classes) counts."""
    predictions = check_array(predictions, "predictions", dtype=None)
    if predictions.ndim != 2 or predictions.size == 0 or not np.issubdtype(predictions.dtype, np.integer):
        raise ValueError(f"predictions must be a non-empty (n_teachers, n_images) array of integer labels, "
                         f"got shape {predictions.shape} and dtype {predictions.dtype}")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    if predictions.min() < 0 or predictions.max() >= n_classes:
        raise ValueError(f"predictions must be class labels in [0, {n_classes - 1}], got values in "
                         f"[{predictions.min()}, {predictions.max()}]")
    votes = np.zeros((predictions.shape[1], n_classes), dtype=np.int64)
    for teacher_labels in predictions:
        votes[np.arange(predictions.shape[1]), teacher_labels] += 1
    return votes


# ----------------------------------------------------------------------------------------------
# Aggregators: one signature (votes, noise_scale, rng, threshold, threshold_noise) -> Aggregation
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# Privacy analysis (Renyi DP per query, summed, converted to (epsilon, delta))
# ----------------------------------------------------------------------------------------------


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
    return _check_orders(orders) / noise_scale**2


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
    return _rdp_from_log_q(log_q_gnmax(votes, noise_scale), noise_scale, _check_orders(orders))


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
    orders = _check_orders(orders)
    pure_epsilon = 2.0 / noise_scale
    return np.minimum(pure_epsilon, 0.5 * pure_epsilon**2 * orders)


def rdp_lnmax_data_dependent(votes: np.ndarray, noise_scale: float, orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of one LNMax answer on these votes (Papernot et al. 2017, Thm. 3, as in the reference ``rdp_pure_eps``)."""
    noise_scale = check_positive(noise_scale, "noise_scale")
    orders = _check_orders(orders)
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
    return _check_orders(orders) / (2.0 * threshold_noise**2)


def rdp_threshold_data_dependent(votes: np.ndarray, threshold: float, threshold_noise: float,
                                 orders: np.ndarray = DEFAULT_ORDERS) -> np.ndarray:
    """RDP of the threshold check on these votes: Thm. 6 with q = min(Pr[answer], Pr[no answer]) and
    sigma = sqrt(2) sigma_1 (sensitivity 1 instead of GNMax's sqrt 2), as in the reference code."""
    log_p = log_pr_answered(votes, threshold, threshold_noise)
    return _rdp_from_log_q(min(log_p, _log1mexp(log_p)), math.sqrt(2.0) * threshold_noise, _check_orders(orders))


def per_query_rdp(votes: np.ndarray, aggregation: Aggregation, orders: np.ndarray = DEFAULT_ORDERS,
                  data_dependent: bool = True) -> np.ndarray:
    """RDP spent by each query of ``aggregation``: array (n_queries, n_orders).

    GNMax/LNMax answers cost their per-answer bound; for Confident-GNMax every query pays for the
    threshold check and only answered ones pay for the GNMax step (Papernot et al. 2018, Sec. 4.2).
    """
    votes = _check_votes(votes)
    if not isinstance(aggregation, Aggregation):
        raise ParameterTypeError(f"aggregation must be an Aggregation, got {type(aggregation).__name__}")
    if len(votes) != aggregation.n_queries:
        raise ValueError(f"votes must have one row per query of the aggregation ({aggregation.n_queries}), "
                         f"got {len(votes)}")
    orders = _check_orders(orders)
    sigma = aggregation.noise_scale
    answered = aggregation.answered.astype(float)[:, None]
    if not data_dependent:  # the same worst case for every query: no loop needed
        if aggregation.mechanism == "lnmax":
            return np.tile(rdp_lnmax_data_independent(sigma, orders), (len(votes), 1))
        rdp = answered * rdp_gnmax_data_independent(sigma, orders)[None, :]
        if aggregation.mechanism == "confident_gnmax":
            rdp = rdp + rdp_threshold_data_independent(aggregation.threshold_noise, orders)[None, :]
        return rdp
    rdp = np.zeros((len(votes), len(orders)))
    for i, row in enumerate(votes):
        if aggregation.mechanism == "lnmax":
            rdp[i] = rdp_lnmax_data_dependent(row, sigma, orders)
            continue
        if aggregation.mechanism == "confident_gnmax":
            rdp[i] = rdp_threshold_data_dependent(row, aggregation.threshold, aggregation.threshold_noise, orders)
        if aggregation.answered[i]:
            rdp[i] += rdp_gnmax_data_dependent(row, sigma, orders)
    return rdp


def rdp_to_epsilon(rdp: np.ndarray, delta: float, orders: np.ndarray = DEFAULT_ORDERS) -> tuple[float, float]:
    """(epsilon, best order) from a total RDP curve, with Opacus's conversion (Balle et al. 2020, Thm. 21)."""
    from opacus.accountants.analysis.rdp import get_privacy_spent

    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    orders = _check_orders(orders)
    rdp = check_array(rdp, "rdp", ndim=1)
    if rdp.shape != orders.shape or rdp.min() < 0:
        raise ValueError(f"rdp must hold one non-negative value per order ({len(orders)}), got shape {rdp.shape}")
    with warnings.catch_warnings():  # an optimum at the end of the order grid is still a valid bound
        warnings.simplefilter("ignore", UserWarning)
        epsilon, order = get_privacy_spent(orders=np.asarray(orders, dtype=float), rdp=np.asarray(rdp, dtype=float),
                                           delta=delta)
    return float(epsilon), float(order)


@dataclass
class PrivacyReport:
    """Epsilon of one PATE run at ``delta``, data-independent and data-dependent.

    The data-dependent epsilon is computed from the private votes, so it is itself sensitive:
    Papernot et al. 2018 (Sec. 4.3, App. C) publish it only after adding noise scaled to its
    smooth sensitivity (Nissim et al. 2007); the lab prints it raw, for teaching.
    """

    epsilon_data_independent: float
    epsilon_data_dependent: float
    delta: float
    n_queries: int
    n_answered: int
    mechanism: str
    order_data_independent: float
    order_data_dependent: float

    def __post_init__(self) -> None:
        for name in ("epsilon_data_independent", "epsilon_data_dependent"):
            setattr(self, name, check_nonnegative(getattr(self, name), name))
        self.delta = check_delta(self.delta)
        self.n_queries = check_positive_int(self.n_queries, "n_queries")
        self.n_answered = check_positive_int(self.n_answered, "n_answered", minimum=0)
        if self.n_answered > self.n_queries:
            raise ValueError(f"n_answered must be <= n_queries ({self.n_queries}), got {self.n_answered}")


def analyze_privacy(votes: np.ndarray, aggregation: Aggregation, delta: float = 1e-5,
                    orders: np.ndarray = DEFAULT_ORDERS) -> PrivacyReport:
    """Total (epsilon, delta) of ``aggregation`` on ``votes``: both bounds, composed over all queries.

    Data-independent: every answer costs its worst case (for GNMax, the Gaussian mechanism's
    alpha / sigma^2 per answer). Data-dependent (Papernot et al. 2018, Thm. 6 + Prop. 7): each answer
    costs according to how unlikely noise was to change it, estimated from the vote margins.

    Caveat (smooth sensitivity): the data-dependent epsilon depends on the private data, so releasing
    it leaks information. The paper releases a noisy version of it calibrated with smooth sensitivity
    (Papernot et al. 2018, Sec. 4.3 and App. C); this function returns the raw value, which is a
    correct statement about this run but is not itself differentially private to publish.
    """
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    orders = _check_orders(orders)
    rdp_independent = per_query_rdp(votes, aggregation, orders, data_dependent=False).sum(0)
    rdp_dependent = per_query_rdp(votes, aggregation, orders, data_dependent=True).sum(0)
    eps_independent, order_independent = rdp_to_epsilon(rdp_independent, delta, orders)
    eps_dependent, order_dependent = rdp_to_epsilon(rdp_dependent, delta, orders)
    return PrivacyReport(eps_independent, eps_dependent, delta, aggregation.n_queries, aggregation.n_answered,
                         aggregation.mechanism, order_independent, order_dependent)


def cumulative_epsilon(votes: np.ndarray, aggregation: Aggregation, delta: float = 1e-5,
                       orders: np.ndarray = DEFAULT_ORDERS) -> pd.DataFrame:
    """Epsilon after each query (both bounds), for plotting privacy cost against queries answered."""
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    rows = []
    for dependent in (False, True):
        totals = np.cumsum(per_query_rdp(votes, aggregation, orders, data_dependent=dependent), axis=0)
        rows.append([rdp_to_epsilon(total, delta, orders)[0] for total in totals])
    return pd.DataFrame({"queries": np.arange(1, len(rows[0]) + 1),
                         "answered": np.cumsum(aggregation.answered),
                         "data-independent": rows[0], "data-dependent": rows[1]})


# ----------------------------------------------------------------------------------------------
# Student and the whole pipeline
# ----------------------------------------------------------------------------------------------


def split_private_public(train: ImageDataset, public_fraction: float = 0.25,
                         rng: np.random.Generator | int | None = 0) -> tuple[ImageDataset, ImageDataset]:
    """Split the training part into (private: labelled, for teachers; public: inputs the student may query).

    The public part keeps its labels only so a lesson can measure how often the aggregator is right;
    the student never sees them.
    """
    from .datasets import train_test_split

    _check_dataset(train, "train")
    public_fraction = check_probability(public_fraction, "public_fraction", open_low=True, open_high=True)
    public, private = train_test_split(train, public_fraction, rng=as_rng(rng))[::-1]
    return private, public


def train_student(public_images: np.ndarray, labels: np.ndarray, test: ImageDataset, *, model: str = "logistic",
                  epochs: int = 20, batch_size: int = 64, lr: float = 0.1, seed: int = 0) -> tuple[nn.Module, float]:
    """Train a student on the public inputs the aggregator answered (label -1 = unanswered, dropped);
    return (student, accuracy on ``test``, a validation or a test set). Uses
    :func:`ppml_lab.training.train_classifier`."""
    public_images = check_array(public_images, "public_images", dtype=np.float32)
    labels = check_array(labels, "labels", ndim=1, dtype=None)
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < -1:
        raise ValueError(f"labels must be integer class labels (-1 for unanswered), got dtype {labels.dtype} "
                         f"and minimum {labels.min()!r}")
    if len(labels) != len(public_images):
        raise ValueError(f"labels must have one entry per public image ({len(public_images)}), got {len(labels)}")
    _check_dataset(test, "test")
    check_one_of(model, MODELS, "model")
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr, seed = check_positive(lr, "lr"), check_positive_int(seed, "seed", minimum=0)
    keep = labels >= 0
    if not keep.any():
        raise ValueError("labels must contain at least one answered query (label >= 0) to train a student, got none")
    student = build_model(model, seed=seed)
    with _one_torch_thread():
        train_classifier(student, ImageDataset(public_images[keep], labels[keep].astype(np.int64)), epochs=epochs,
                         batch_size=batch_size, lr=lr, seed=seed)
        return student, evaluate(student, test)


@dataclass
class PATEResult:
    """Everything one PATE run produced: the student, its accuracy, the privacy report and the labels.

    ``accuracy`` is on the test set; ``validation_accuracy`` (NaN when no validation set was given) is
    what a lesson may compare when it chooses hyper-parameters, so that the test set stays unseen.
    """

    student: nn.Module
    accuracy: float
    privacy: PrivacyReport
    aggregation: Aggregation
    votes: np.ndarray
    label_accuracy: float
    n_teachers: int
    train_seconds: float = field(default=0.0, compare=False)
    validation_accuracy: float = float("nan")

    def __post_init__(self) -> None:
        self.accuracy = check_probability(self.accuracy, "accuracy")
        if not isinstance(self.privacy, PrivacyReport):
            raise ParameterTypeError(f"privacy must be a PrivacyReport, got {type(self.privacy).__name__}")

    @property
    def epsilon(self) -> float:
        """The data-dependent epsilon (see :class:`PrivacyReport` for the smooth-sensitivity caveat)."""
        return self.privacy.epsilon_data_dependent


def run_pate(private: ImageDataset, public: ImageDataset, test: ImageDataset, *, n_teachers: int,
             noise_scale: float, n_queries: int, mechanism: str = "gnmax", threshold: float | None = None,
             threshold_noise: float | None = None, teacher_model: str = "logistic", student_model: str = "logistic",
             teacher_epochs: int = 30, student_epochs: int = 20, delta: float = 1e-5, seed: int = 0,
             use_cache: bool = True, progress: bool = False,
             validation: ImageDataset | None = None) -> PATEResult:
    """PATE end to end: teachers on disjoint parts of ``private``, noisy labels for the first ``n_queries``
    public inputs, a student trained on them and evaluated on ``test`` (and on ``validation`` if given),
    and the privacy spent.

    The lab's entry point for PATE (``notebooks/04_pate.ipynb``); Papernot et al. 2017 and 2018.
    """
    _check_dataset(private, "private")
    _check_dataset(public, "public")
    _check_dataset(test, "test")
    if validation is not None:
        _check_dataset(validation, "validation")
    n_teachers = check_positive_int(n_teachers, "n_teachers")
    if n_teachers > len(private):
        raise ValueError(f"n_teachers must be <= the number of private examples ({len(private)}), got {n_teachers}")
    noise_scale = _check_noise_scale(noise_scale)
    n_queries = check_positive_int(n_queries, "n_queries")
    if n_queries > len(public):
        raise ValueError(f"n_queries must be in [1, {len(public)}] (the number of public inputs), got {n_queries}")
    check_one_of(mechanism, MECHANISMS, "mechanism")
    if threshold is not None:
        check_nonnegative(threshold, "threshold")
    if threshold_noise is not None:
        _check_noise_scale(threshold_noise, "threshold_noise")
    check_one_of(teacher_model, MODELS, "teacher_model")
    check_one_of(student_model, MODELS, "student_model")
    teacher_epochs = check_positive_int(teacher_epochs, "teacher_epochs")
    student_epochs = check_positive_int(student_epochs, "student_epochs")
    delta = check_delta(delta)
    seed = check_positive_int(seed, "seed", minimum=0)
    start = time.perf_counter()
    ensemble = train_teachers(private, n_teachers, model=teacher_model, epochs=teacher_epochs, seed=seed,
                              use_cache=use_cache, progress=progress)
    queries = public.images[:n_queries]
    votes = vote_histograms(teacher_predictions(ensemble, queries), ensemble.n_classes)
    aggregation = aggregate(votes, mechanism, noise_scale, rng=seed, threshold=threshold,
                            threshold_noise=threshold_noise)
    answered = aggregation.answered
    label_accuracy = float((aggregation.labels[answered] == public.labels[:n_queries][answered]).mean()) \
        if answered.any() else float("nan")
    student, accuracy = train_student(queries, aggregation.labels, test, model=student_model,
                                      epochs=student_epochs, seed=seed)
    validation_accuracy = evaluate(student, validation) if validation is not None else float("nan")
    privacy = analyze_privacy(votes, aggregation, delta)
    return PATEResult(student, accuracy, privacy, aggregation, votes, label_accuracy, n_teachers,
                      time.perf_counter() - start, validation_accuracy)


def _check_grid_values(values: list, name: str, check: Callable[[object, str], object]) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ParameterTypeError(f"{name} must be a list of values, got {type(values).__name__}")
    if len(values) == 0:
        raise ValueError(f"{name} must list at least one value, got {values!r}")
    return [check(value, name) for value in values]


def privacy_utility_grid(private: ImageDataset, public: ImageDataset, test: ImageDataset, *,
                         n_teachers: list[int], noise_scales: list[float], n_queries: list[int],
                         mechanism: str = "gnmax", delta: float = 1e-5, seed: int = 0, student_epochs: int = 20,
                         use_cache: bool = True, progress: bool = False,
                         validation: ImageDataset | None = None) -> pd.DataFrame:
    """Student accuracy and both epsilons for every (teachers, noise scale, queries) combination.

    One row per combination; the notebook's widget reads its points from this table. With ``validation``,
    a ``validation_accuracy`` column holds what a choice among the rows may look at (the test accuracy
    may not be used to choose: Papernot & Steinke 2022). Cached by all inputs.
    """
    _check_dataset(private, "private")
    _check_dataset(public, "public")
    _check_dataset(test, "test")
    if validation is not None:
        _check_dataset(validation, "validation")
    n_teachers = _check_grid_values(n_teachers, "n_teachers", check_positive_int)
    noise_scales = _check_grid_values(noise_scales, "noise_scales", check_positive)
    n_queries = _check_grid_values(n_queries, "n_queries", check_positive_int)
    if max(n_teachers) > len(private) or max(n_queries) > len(public):
        raise ValueError(f"n_teachers must be <= {len(private)} and n_queries <= {len(public)} (the data's sizes), "
                         f"got {max(n_teachers)} and {max(n_queries)}")
    check_one_of(mechanism, MECHANISMS, "mechanism")
    delta = check_delta(delta)
    seed = check_positive_int(seed, "seed", minimum=0)
    student_epochs = check_positive_int(student_epochs, "student_epochs")

    def compute() -> pd.DataFrame:
        from .progress import Progress

        combos = [(t, s, q) for t in n_teachers for s in noise_scales for q in n_queries]
        rows = []
        for teachers, scale, queries in Progress(combos, desc="PATE grid", disable=not progress):
            result = run_pate(private, public, test, n_teachers=teachers, noise_scale=scale, n_queries=queries,
                              mechanism=mechanism, delta=delta, seed=seed, student_epochs=student_epochs,
                              use_cache=use_cache, validation=validation)
            rows.append({"n_teachers": teachers, "noise_scale": scale, "n_queries": queries,
                         "n_answered": result.aggregation.n_answered, "label_accuracy": result.label_accuracy,
                         "validation_accuracy": result.validation_accuracy, "student_accuracy": result.accuracy,
                         "epsilon_data_independent": result.privacy.epsilon_data_independent,
                         "epsilon_data_dependent": result.privacy.epsilon_data_dependent})
        return pd.DataFrame(rows)

    inputs = {"private": private.fingerprint(), "public": public.fingerprint(), "test": test.fingerprint(),
              "validation": None if validation is None else validation.fingerprint(),
              "n_teachers": list(n_teachers), "noise_scales": [float(s) for s in noise_scales],
              "n_queries": list(n_queries), "mechanism": mechanism, "delta": delta, "seed": seed,
              "student_epochs": student_epochs}
    return cached("pate_grid", inputs, compute, enabled=use_cache)


def search_epsilon(grid: pd.DataFrame, delta: float = 1e-5, orders: np.ndarray = DEFAULT_ORDERS) -> float:
    """Data-independent epsilon of *every* GNMax run in ``grid`` composed: what a search that trained all
    of them on the same private data spent before it picked one.

    Each row answered ``n_queries`` queries with GNMax at ``noise_scale`` (RDP ``n_queries * alpha /
    sigma^2``); RDP adds over runs. Releasing only the best run does not make the others free
    (Papernot & Steinke 2022, "Hyperparameter Tuning with Renyi Differential Privacy").
    """
    if not isinstance(grid, pd.DataFrame):
        raise ParameterTypeError(f"grid must be a DataFrame from privacy_utility_grid, got {type(grid).__name__}")
    if len(grid) == 0 or not {"noise_scale", "n_queries"} <= set(grid.columns):
        raise ValueError(f"grid must have rows with noise_scale and n_queries columns, got columns {list(grid.columns)}"
                         f" and {len(grid)} rows")
    delta, orders = check_delta(delta), _check_orders(orders)
    total = sum(int(row.n_queries) * rdp_gnmax_data_independent(float(row.noise_scale), orders)
                for row in grid.itertuples())
    return rdp_to_epsilon(total, delta, orders)[0]


# ----------------------------------------------------------------------------------------------
# Answering under a budget: the defence against asking the same query again and again
# ----------------------------------------------------------------------------------------------


def gnmax_answer_epsilon(noise_scale: float, delta: float, orders: np.ndarray = DEFAULT_ORDERS) -> float:
    """(epsilon, ``delta``)-DP guarantee of one GNMax answer whatever the votes (RDP alpha / sigma^2, converted)."""
    noise_scale, delta = check_positive(noise_scale, "noise_scale"), check_delta(delta)
    return rdp_to_epsilon(rdp_gnmax_data_independent(noise_scale, orders), delta, orders)[0]


class BudgetedGNMax:
    """A GNMax aggregator that charges every answer to a :class:`ppml_lab.accounting.PrivacyLedger` and
    refuses (raises :class:`ppml_lab.accounting.BudgetExceededError`, releasing nothing) once the budget
    is spent.

    Each answer costs (``gnmax_answer_epsilon(noise_scale, delta_per_answer)``, ``delta_per_answer``),
    composed by the ledger. Without such a cap, asking one query many times averages the noise away
    (:mod:`ppml_lab.attacks.pate_averaging`). Taught in ``notebooks/04_pate.ipynb``.
    """

    def __init__(self, votes: np.ndarray, noise_scale: float, ledger: PrivacyLedger, delta_per_answer: float = 1e-6,
                 rng: np.random.Generator | int | None = None) -> None:
        self.votes = _check_votes(votes)
        self.noise_scale = _check_noise_scale(noise_scale)
        if not isinstance(ledger, PrivacyLedger):
            raise ParameterTypeError(f"ledger must be a PrivacyLedger, got {type(ledger).__name__}")
        self.delta_per_answer = check_delta(delta_per_answer, "delta_per_answer")
        if self.delta_per_answer == 0.0:
            raise ValueError("delta_per_answer must be in (0, 1): a Gaussian answer needs delta > 0, got 0.0")
        self.ledger, self.rng = ledger, as_rng(rng)
        self.epsilon_per_answer = gnmax_answer_epsilon(self.noise_scale, self.delta_per_answer)
        self.n_answered = 0

    def answer(self, query: int) -> int:
        """The noisy plurality label of public query ``query``, paid for first; refused past the budget."""
        query = check_positive_int(query, "query", minimum=0)
        if query >= len(self.votes):
            raise ValueError(f"query must be in [0, {len(self.votes) - 1}], got {query}")
        self.ledger.spend(f"GNMax answer to query {query}", self.epsilon_per_answer, self.delta_per_answer)
        self.n_answered += 1
        return int(gnmax(self.votes[query], self.noise_scale, self.rng).labels[0])

    def answer_until_refused(self, query: int, max_answers: int = 1_000_000) -> np.ndarray:
        """Ask ``query`` again and again (the averaging attacker's move) until the ledger refuses."""
        max_answers = check_positive_int(max_answers, "max_answers")
        answers = []
        try:
            while len(answers) < max_answers:
                answers.append(self.answer(query))
        except BudgetExceededError:
            pass
        return np.asarray(answers, dtype=np.int64)


def compare_with_dpsgd(private: ImageDataset, public: ImageDataset, test: ImageDataset, *, seeds: list[int],
                       n_teachers: int, noise_scale: float, n_queries: int, mechanism: str = "confident_gnmax",
                       threshold: float | None = None, threshold_noise: float | None = None, delta: float = 1e-5,
                       dpsgd_epochs: int = 10, dpsgd_batch_size: int = 256, use_cache: bool = True) -> pd.DataFrame:
    """PATE against DP-SGD at the same publishable epsilon, one row per seed.

    For each seed: :func:`run_pate` (teachers, aggregator noise and student all seeded), then
    :func:`ppml_lab.dpsgd.train_dpsgd` on the same private data with the same model family (logistic)
    at PATE's *data-independent* epsilon (RDP accountant), and the non-private baseline with the same
    optimiser. Only data-independent epsilons are compared: PATE's data-dependent one is reported but
    may not be published as is (see :class:`PrivacyReport`). Cached by all inputs.
    """
    from .dpsgd import train_dpsgd

    for name, data in (("private", private), ("public", public), ("test", test)):
        _check_dataset(data, name)
    seeds = _check_grid_values(seeds, "seeds", lambda value, name: check_positive_int(value, name, minimum=0))
    n_teachers, n_queries = check_positive_int(n_teachers, "n_teachers"), check_positive_int(n_queries, "n_queries")
    noise_scale, delta = _check_noise_scale(noise_scale), check_delta(delta)
    check_one_of(mechanism, MECHANISMS, "mechanism")
    dpsgd_epochs = check_positive_int(dpsgd_epochs, "dpsgd_epochs")
    dpsgd_batch_size = check_positive_int(dpsgd_batch_size, "dpsgd_batch_size")
    if dpsgd_batch_size > len(private):
        raise ValueError(f"dpsgd_batch_size must be <= the number of private examples ({len(private)}), "
                         f"got {dpsgd_batch_size}")
    pate_settings = dict(n_teachers=n_teachers, noise_scale=noise_scale, n_queries=n_queries, mechanism=mechanism,
                         threshold=threshold, threshold_noise=threshold_noise, delta=delta)
    dpsgd_settings = dict(delta=delta, epochs=dpsgd_epochs, batch_size=dpsgd_batch_size, accountant="rdp")

    def compute() -> pd.DataFrame:
        rows = []
        for seed in seeds:
            run = run_pate(private, public, test, seed=seed, use_cache=use_cache, **pate_settings)
            private_model = train_dpsgd(build_model("logistic", seed=seed), private, test,
                                        epsilon=run.privacy.epsilon_data_independent, seed=seed, **dpsgd_settings)
            baseline = train_dpsgd(build_model("logistic", seed=seed), private, test, epsilon=None, seed=seed,
                                   **dpsgd_settings)
            rows.append({"seed": seed, "PATE ε (publishable)": run.privacy.epsilon_data_independent,
                         "PATE ε data-dependent (not publishable)": run.privacy.epsilon_data_dependent,
                         "PATE student": run.accuracy, "DP-SGD ε": private_model.epsilon,
                         "DP-SGD": private_model.accuracy, "non-private SGD": baseline.accuracy})
        return pd.DataFrame(rows)

    inputs = {"private": private.fingerprint(), "public": public.fingerprint(), "test": test.fingerprint(),
              "seeds": list(seeds), **pate_settings, **dpsgd_settings}
    return cached("pate_vs_dpsgd", inputs, compute, enabled=use_cache)
