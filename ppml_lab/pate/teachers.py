"""PATE's teachers: disjoint partitions of the private data, one model each, and their votes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..models import MODELS, build_model
from ..seeding import as_rng
from ..training import predict_proba, train_classifier
from ..validation import (
    ParameterTypeError,
    check_array,
    check_one_of,
    check_positive,
    check_positive_int,
)

__all__ = ["TeacherEnsemble", "partition_indices", "train_teachers", "teacher_predictions", "vote_histograms"]


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
    check_dataset(private, "private")
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
        from ..progress import Progress

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
