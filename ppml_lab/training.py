"""Non-private training and evaluation shared by every lesson (one loop, not one per notebook).

DP-SGD lives in ``ppml_lab.dpsgd``; federated rounds in ``ppml_lab.federated``; both reuse
:func:`evaluate` and :func:`predict_proba` from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .datasets import ImageDataset, check_dataset
from .models import check_module
from .validation import (
    ParameterTypeError,
    check_array,
    check_nonnegative,
    check_positive,
    check_positive_int,
)

__all__ = ["TrainHistory", "evaluate", "fit", "make_loader", "predict_proba", "to_tensor_dataset", "train_classifier"]


def to_tensor_dataset(data: ImageDataset) -> TensorDataset:
    """Wrap numpy images/labels as a torch ``TensorDataset``."""
    check_dataset(data, "data")
    return TensorDataset(torch.from_numpy(np.ascontiguousarray(data.images)), torch.from_numpy(data.labels))


def make_loader(data: ImageDataset, batch_size: int, shuffle: bool, seed: int = 0) -> DataLoader:
    """A DataLoader whose shuffling is seeded (reproducible without global state)."""
    check_dataset(data, "data")
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
    check_module(model)
    check_dataset(train, "train")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    momentum = check_nonnegative(momentum, "momentum")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    seed = check_positive_int(seed, "seed", minimum=0)
    loader = make_loader(train, batch_size, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    return TrainHistory(fit(model, loader, optimizer, epochs))


def fit(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer, epochs: int, *,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        after_backward: Callable[[], None] | None = None, device: torch.device | str | None = None) -> list[float]:
    """The lab's one training loop; returns each epoch's mean batch loss.

    Per batch: zero the gradients, forward, cross-entropy (or ``loss_fn``), backward, then
    ``after_backward()`` (FedProx adds its proximal gradient there), then the optimizer's step. Plain
    SGD (:func:`train_classifier`), FedProx's clients (``federated.client_update``) and DP-SGD (Opacus's
    wrapped model, optimizer and Poisson loader, in ``dpsgd.train_dpsgd``) all train with it.
    """
    check_module(model)
    if not hasattr(loader, "__iter__"):
        raise ParameterTypeError(f"loader must be an iterable of (x, y) batches, got {type(loader).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ParameterTypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    epochs = check_positive_int(epochs, "epochs")
    for name, hook in (("loss_fn", loss_fn), ("after_backward", after_backward)):
        if hook is not None and not callable(hook):
            raise ParameterTypeError(f"{name} must be callable or None, got {type(hook).__name__}")
    if device is not None:
        try:
            device = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda', got {device!r}") from None
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _ in range(epochs):
        total, batches = 0.0, 0
        for x, y in loader:
            if device is not None:
                x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            if after_backward is not None:
                after_backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        losses.append(total / batches if batches else float("nan"))
    return losses


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Softmax probabilities, shape (n, n_classes)."""
    check_module(model)
    images = check_array(images, "images", dtype=np.float32)
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    out = [torch.softmax(model(torch.from_numpy(np.ascontiguousarray(images[i:i + batch_size]))), dim=1)
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy()


def evaluate(model: nn.Module, data: ImageDataset) -> float:
    """Accuracy of ``model`` on ``data`` (fraction in [0, 1])."""
    check_module(model)
    check_dataset(data, "data")
    return float((predict_proba(model, data.images).argmax(1) == data.labels).mean())
