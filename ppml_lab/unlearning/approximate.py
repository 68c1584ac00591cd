"""Approximate unlearning: cheap updates of the trained model, with no guarantee that the records are forgotten.

* :func:`finetune_unlearn` - keep training on the retained data only and hope the forget set fades
  ("catastrophic forgetting"; the fine-tuning baseline of Golatkar et al. 2020 and Kurmanji et al. 2023).
* :func:`gradient_ascent_unlearn` - climb the loss on the forget set (Thudi et al. 2022; Jang et al. 2023),
  which can overshoot: records pushed *above* the loss of never-seen records are visible again.

Both copy the model (the original is untouched) and train it with the lab's loop. Taught in
``notebooks/10_machine_unlearning.ipynb``, where lesson 03's LiRA checks what they leave behind.
"""

from __future__ import annotations

import copy
import math
import time

import torch
from torch import nn

from ..datasets import ImageDataset, check_dataset
from ..models import check_module
from ..training import fit, make_loader
from ..validation import check_nonnegative, check_positive, check_positive_int
from .exact import Unlearned

__all__ = ["finetune_unlearn", "gradient_ascent_unlearn"]


def _check(model: nn.Module, data: ImageDataset, name: str, epochs: int, lr: float, batch_size: int, seed: int
           ) -> tuple[int, float, int, int]:
    check_module(model)
    check_dataset(data, name)
    return (check_positive_int(epochs, "epochs"), check_positive(lr, "lr"),
            check_positive_int(batch_size, "batch_size"), check_positive_int(seed, "seed", minimum=0))


def finetune_unlearn(model: nn.Module, retained: ImageDataset, *, epochs: int = 3, lr: float = 0.1,
                     momentum: float = 0.9, batch_size: int = 128, seed: int = 0) -> Unlearned:
    """A copy of ``model`` trained ``epochs`` more passes on the ``retained`` data only (approximate unlearning)."""
    epochs, lr, batch_size, seed = _check(model, retained, "retained", epochs, lr, batch_size, seed)
    momentum = check_nonnegative(momentum, "momentum")
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    start = time.perf_counter()
    updated = copy.deepcopy(model)
    optimizer = torch.optim.SGD(updated.parameters(), lr=lr, momentum=momentum)
    fit(updated, make_loader(retained, batch_size, shuffle=True, seed=seed), optimizer, epochs)
    steps = epochs * math.ceil(len(retained) / batch_size)
    return Unlearned(updated, "fine-tuning on retained data", epochs * len(retained), steps,
                     time.perf_counter() - start)


def _ascent_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Minus the cross-entropy: minimising it climbs the loss of the forget set."""
    return -nn.functional.cross_entropy(logits, labels)


def gradient_ascent_unlearn(model: nn.Module, forget: ImageDataset, *, epochs: int = 1, lr: float = 0.01,
                            batch_size: int = 32, seed: int = 0) -> Unlearned:
    """A copy of ``model`` after ``epochs`` passes of gradient *ascent* on the ``forget`` set's loss (plain SGD)."""
    epochs, lr, batch_size, seed = _check(model, forget, "forget", epochs, lr, batch_size, seed)
    start = time.perf_counter()
    updated = copy.deepcopy(model)
    optimizer = torch.optim.SGD(updated.parameters(), lr=lr)
    fit(updated, make_loader(forget, batch_size, shuffle=True, seed=seed), optimizer, epochs, loss_fn=_ascent_loss)
    steps = epochs * math.ceil(len(forget) / batch_size)
    return Unlearned(updated, "gradient ascent on forget set", epochs * len(forget), steps,
                     time.perf_counter() - start)
