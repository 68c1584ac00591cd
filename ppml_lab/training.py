"""Non-private training and evaluation shared by every lesson (one loop, not one per notebook).

DP-SGD lives in ``ppml_lab.dpsgd``; federated rounds in ``ppml_lab.federated``; both reuse
:func:`evaluate` and :func:`predict_proba` from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .datasets import ImageDataset
from .validation import (
    ParameterTypeError,
    check_array,
    check_nonempty,
    check_nonnegative,
    check_positive,
    check_positive_int,
)


def _check_dataset(data: ImageDataset, name: str) -> ImageDataset:
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"{name} must be a ppml_lab.datasets.ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, name)
    return data


def _check_module(model: nn.Module) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return model

__all__ = ["TrainHistory", "evaluate", "make_loader", "predict_proba", "to_tensor_dataset", "train_classifier"]


def to_tensor_dataset(data: ImageDataset) -> TensorDataset:
    """Wrap numpy images/labels as a torch ``TensorDataset``."""
    _check_dataset(data, "data")
    return TensorDataset(torch.from_numpy(np.ascontiguousarray(data.images)), torch.from_numpy(data.labels))


def make_loader(data: ImageDataset, batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
    """A DataLoader whose shuffling is seeded (reproducible without global state)."""
    _check_dataset(data, "data")
    batch_size = check_positive_int(batch_size, "batch_size")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ParameterTypeError(f"shuffle must be True or False, got {shuffle!r}")
    seed = check_positive_int(seed, "seed", minimum=0)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(to_tensor_dataset(data), batch_size=batch_size, shuffle=shuffle, generator=generator)


@dataclass
class TrainHistory:
    """Per-epoch training loss (mean over batches)."""

    losses: list[float]


def train_classifier(model: nn.Module, train: ImageDataset, epochs: int = 5, batch_size: int = 64,
                     lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0, seed: int = 0) -> TrainHistory:
    """Train ``model`` in place with SGD and cross-entropy (no privacy); return the loss history."""
    _check_module(model)
    _check_dataset(train, "train")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    momentum = check_nonnegative(momentum, "momentum")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    seed = check_positive_int(seed, "seed", minimum=0)
    loader = make_loader(train, batch_size, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        losses.append(total / batches)
    return TrainHistory(losses)


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Softmax probabilities, shape (n, n_classes)."""
    _check_module(model)
    images = check_array(images, "images", dtype=np.float32)
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    out = [torch.softmax(model(torch.from_numpy(np.ascontiguousarray(images[i:i + batch_size]))), dim=1)
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy()


def evaluate(model: nn.Module, data: ImageDataset) -> float:
    """Accuracy of ``model`` on ``data`` (fraction in [0, 1])."""
    _check_module(model)
    _check_dataset(data, "data")
    return float((predict_proba(model, data.images).argmax(1) == data.labels).mean())
