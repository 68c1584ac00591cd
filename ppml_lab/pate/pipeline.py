"""PATE end to end: the student on noisy labels, one run, a privacy-utility grid."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from torch import nn

from ..accounting.pate import rdp_gnmax_data_independent
from ..accounting.rdp import DEFAULT_ORDERS, check_orders, rdp_to_epsilon
from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..models import MODELS, build_model
from ..seeding import as_rng
from ..training import evaluate, train_classifier
from ..validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)
from .aggregators import MECHANISMS, Aggregation, _check_noise_scale, aggregate
from .analysis import PrivacyReport, analyze_privacy
from .teachers import _one_torch_thread, teacher_predictions, train_teachers, vote_histograms

__all__ = ["split_private_public", "train_student", "PATEResult", "run_pate", "privacy_utility_grid", "search_epsilon"]


def split_private_public(train: ImageDataset, public_fraction: float = 0.25,
                         rng: np.random.Generator | int | None = 0) -> tuple[ImageDataset, ImageDataset]:
    """Split the training part into (private: labelled, for teachers; public: inputs the student may query).

    The public part keeps its labels only so a lesson can measure how often the aggregator is right;
    the student never sees them.
    """
    from ..datasets import train_test_split

    check_dataset(train, "train")
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
    check_dataset(test, "test")
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


@dataclass(frozen=True)
class PATEResult:
    """Everything one PATE run produced: the student, its accuracy, the privacy report and the labels.

    The lab's result convention (frozen; first ``model``, ``accuracy``, ``epsilon``: the guarantee, None when
    not private, ``delta``, ``train_seconds``): see ``tests/test_results.py``.
    Here ``model`` is the student and ``epsilon`` the data-independent bound: the data-dependent one
    (``privacy.epsilon_data_dependent``) is computed from the private votes and is not a guarantee one
    may publish (see :class:`PrivacyReport`). ``validation_accuracy`` (NaN when no validation set was
    given) is what a lesson may compare when it chooses hyper-parameters, so that the test set stays unseen.
    """

    model: nn.Module
    accuracy: float
    epsilon: float
    delta: float
    train_seconds: float = field(compare=False)
    privacy: PrivacyReport
    aggregation: Aggregation
    votes: np.ndarray
    label_accuracy: float
    n_teachers: int
    validation_accuracy: float = float("nan")

    def __post_init__(self) -> None:
        check_probability(self.accuracy, "accuracy")
        if not isinstance(self.privacy, PrivacyReport):
            raise ParameterTypeError(f"privacy must be a PrivacyReport, got {type(self.privacy).__name__}")
        if self.epsilon != self.privacy.epsilon_data_independent or self.delta != self.privacy.delta:
            raise ValueError(f"epsilon and delta must be the privacy report's data-independent guarantee "
                             f"({self.privacy.epsilon_data_independent}, {self.privacy.delta}), "
                             f"got ({self.epsilon}, {self.delta})")

    @property
    def student(self) -> nn.Module:
        """The student model (the same object as ``model``)."""
        return self.model


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
    check_dataset(private, "private")
    check_dataset(public, "public")
    check_dataset(test, "test")
    if validation is not None:
        check_dataset(validation, "validation")
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
    return PATEResult(student, accuracy, privacy.epsilon_data_independent, privacy.delta, time.perf_counter() - start,
                      privacy, aggregation, votes, label_accuracy, n_teachers, validation_accuracy)


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
    check_dataset(private, "private")
    check_dataset(public, "public")
    check_dataset(test, "test")
    if validation is not None:
        check_dataset(validation, "validation")
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
        from ..progress import Progress

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
    delta, orders = check_delta(delta), check_orders(orders)
    total = sum(int(row.n_queries) * rdp_gnmax_data_independent(float(row.noise_scale), orders)
                for row in grid.itertuples())
    return rdp_to_epsilon(total, delta, orders)[0]
