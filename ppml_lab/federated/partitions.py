"""Client partitions: IID and Dirichlet label skew, and the label mix per client."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..datasets import ImageDataset, check_dataset
from ..seeding import as_rng
from ..validation import (
    ParameterTypeError,
    check_array,
    check_positive,
    check_positive_int,
)

__all__ = ["partition_iid", "partition_dirichlet", "partition", "label_mix"]


def _check_labels(labels: np.ndarray, n_clients: int) -> np.ndarray:
    labels = check_array(labels, "labels", ndim=1, dtype=None)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ParameterTypeError(f"labels must be an array of integer class labels, got dtype {labels.dtype}")
    if n_clients > len(labels):
        raise ValueError(f"n_clients must be <= the number of examples ({len(labels)}), got {n_clients}")
    return labels


def partition_iid(labels: np.ndarray, n_clients: int, rng: np.random.Generator | int | None = 0) -> list[np.ndarray]:
    """Shuffle the example indices and deal them into ``n_clients`` near-equal shards (IID clients)."""
    n_clients = check_positive_int(n_clients, "n_clients")
    labels = _check_labels(labels, n_clients)
    order = as_rng(rng).permutation(len(labels))
    return [np.sort(shard) for shard in np.array_split(order, n_clients)]


def partition_dirichlet(labels: np.ndarray, n_clients: int, alpha: float, rng: np.random.Generator | int | None = 0,
                        min_size: int = 2, max_tries: int = 1000) -> list[np.ndarray]:
    """Label-skewed shards: each class is split across clients in Dirichlet(alpha) proportions.

    Small ``alpha`` (0.1) gives clients holding one or two digits and unequal sizes; large ``alpha``
    (100) approaches IID. Draws are repeated until every client holds at least ``min_size``
    examples. This per-class split over clients is Yurochkin et al. 2019's, used by the NIID-Bench benchmark
    (Li et al. 2022); Hsu et al. 2019 instead draw one class distribution per client.
    """
    n_clients = check_positive_int(n_clients, "n_clients")
    alpha = check_positive(alpha, "alpha")
    min_size = check_positive_int(min_size, "min_size", minimum=0)
    max_tries = check_positive_int(max_tries, "max_tries")
    labels = _check_labels(labels, n_clients)
    if min_size * n_clients > len(labels):
        raise ValueError(f"min_size must be <= len(labels) / n_clients = {len(labels) // n_clients}, got {min_size}")
    generator = as_rng(rng)
    classes = np.unique(labels)
    for _ in range(max_tries):
        shards: list[list[np.ndarray]] = [[] for _ in range(n_clients)]
        for label in classes:
            members = generator.permutation(np.flatnonzero(labels == label))
            proportions = generator.dirichlet(np.full(n_clients, alpha))
            cuts = (np.cumsum(proportions)[:-1] * len(members)).astype(int)
            for client, piece in enumerate(np.split(members, cuts)):
                shards[client].append(piece)
        result = [np.sort(np.concatenate(pieces)) for pieces in shards]
        if min(len(shard) for shard in result) >= min_size:
            return result
    raise ValueError(f"could not give each of n_clients={n_clients} clients min_size={min_size} examples with "
                     f"alpha={alpha} in {max_tries} draws: raise alpha, lower n_clients or lower min_size")


def partition(data: ImageDataset, n_clients: int, alpha: float | None = None,
              rng: np.random.Generator | int | None = 0, min_size: int = 2) -> list[ImageDataset]:
    """Split ``data`` into one dataset per client: IID when ``alpha`` is None, else Dirichlet(alpha) label skew."""
    check_dataset(data, "data")
    if alpha is None:
        shards = partition_iid(data.labels, n_clients, rng)
    else:
        shards = partition_dirichlet(data.labels, n_clients, alpha, rng, min_size=min_size)
    return [ImageDataset(data.images[shard], data.labels[shard]) for shard in shards]


def label_mix(clients: Sequence[ImageDataset], n_classes: int = 10) -> pd.DataFrame:
    """Examples per (client, label): one row per client, one column per label (drawn by ``plots.plot_label_mix``)."""
    _check_clients(clients)
    n_classes = check_positive_int(n_classes, "n_classes")
    counts = np.stack([np.bincount(client.labels, minlength=n_classes)[:n_classes] for client in clients])
    frame = pd.DataFrame(counts, columns=list(range(n_classes)))
    frame.index.name, frame.columns.name = "client", "label"
    return frame

def _check_clients(clients: Sequence[ImageDataset]) -> None:
    if not isinstance(clients, Sequence):
        raise ParameterTypeError(f"clients must be a list of ImageDatasets, got {type(clients).__name__}")
    if len(clients) == 0:
        raise ValueError("clients must be a non-empty list of datasets, got 0 clients")
    for k, client in enumerate(clients):
        check_dataset(client, f"clients[{k}]")
