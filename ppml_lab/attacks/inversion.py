"""Model inversion (Fredrikson, Jha & Ristenpart 2015): rebuild a class's typical input from the model alone.

Algorithm 1 of the paper (MI-Face) descends the cost ``c(x) = 1 - p_label(x)`` by gradient steps on
the *input*, starting from a blank image, and projects each step back to valid pixels. What comes
out is not one training record but what the model learnt a class looks like; against a softmax
regression it is a recognisable template. Taught in ``notebooks/10_machine_unlearning.ipynb``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..models import build_model, check_module
from ..validation import ParameterTypeError, check_array, check_positive, check_positive_int

__all__ = ["invert_class", "InversionResult", "invert_classes", "template_similarity", "inversion_targets"]


def invert_class(model: nn.Module, label: int, *, steps: int = 300, lr: float = 0.1,
                 shape: tuple[int, ...] = (1, 28, 28)) -> np.ndarray:
    """One input maximising the model's probability of ``label``: MI-Face (Fredrikson et al. 2015, Algorithm 1)."""
    check_module(model)
    label = check_positive_int(label, "label", minimum=0)
    steps, lr = check_positive_int(steps, "steps"), check_positive(lr, "lr")
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ParameterTypeError(f"shape must be a tuple of positive ints (one image), got {shape!r}")
    model.eval()
    dtype = next(model.parameters()).dtype
    x = torch.zeros((1, *shape), dtype=dtype, requires_grad=True)  # x0 = 0, as in the paper
    for _ in range(steps):
        logits = model(x)
        if not 0 <= label < logits.shape[1]:
            raise ValueError(f"label must be in [0, {logits.shape[1]}), got {label}")
        cost = 1 - torch.softmax(logits, dim=1)[0, label]
        (gradient,) = torch.autograd.grad(cost, x)
        with torch.no_grad():
            x -= lr * gradient
            x.clamp_(0.0, 1.0)  # "Process": keep valid pixel values
    return x.detach()[0].numpy()


@dataclass(frozen=True)
class InversionResult:
    """One inverted image per label, and the model's probability of that label for it."""

    images: np.ndarray       # (n_labels, *shape)
    labels: np.ndarray       # (n_labels,)
    confidence: np.ndarray   # (n_labels,)


def invert_classes(model: nn.Module, labels: list[int] | np.ndarray, *, steps: int = 300, lr: float = 0.1
                   ) -> InversionResult:
    """:func:`invert_class` for each of ``labels``."""
    check_module(model)
    labels = np.asarray(labels)
    if labels.ndim != 1 or not labels.size or labels.dtype.kind not in "iu":
        raise ParameterTypeError(f"labels must be a non-empty 1-D sequence of integer labels, got {labels!r}")
    images = np.stack([invert_class(model, int(label), steps=steps, lr=lr) for label in labels])
    with torch.no_grad():
        probabilities = torch.softmax(model(torch.from_numpy(images).to(next(model.parameters()).dtype)), dim=1)
    confidence = probabilities[np.arange(len(labels)), torch.from_numpy(labels.astype(np.int64))].double().numpy()
    return InversionResult(images, labels, confidence)


def template_similarity(images: np.ndarray, data: ImageDataset, labels: np.ndarray) -> np.ndarray:
    """Pearson correlation of each image with the mean training image of its label (1 = the class average)."""
    images = check_array(images, "images")
    check_dataset(data, "data")
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be one integer label per image ({len(images)}), got {labels!r}")
    missing = sorted(set(labels.tolist()) - set(data.labels.tolist()))
    if missing:
        raise ValueError(f"labels must occur in data, got labels without examples: {missing}")
    means = [data.images[data.labels == label].mean(0).reshape(-1) for label in labels]
    return np.array([np.corrcoef(image.reshape(-1), mean)[0, 1] for image, mean in zip(images, means)])


def inversion_targets(train: ImageDataset, test: ImageDataset, epsilon: float, *, epochs: int = 10,
                      batch_size: int = 256, lr: float = 0.5, seed: int = 0) -> dict[str, nn.Module]:
    """A softmax regression trained without privacy and with DP-SGD at ``epsilon`` (lesson 02's ``train_dpsgd``).

    Fredrikson et al. invert softmax regression first; both models share every hyper-parameter, so
    the two inversions differ by DP-SGD's clipping and noise only. Cached by every input.
    """
    from ..dpsgd import train_dpsgd
    from ..validation import check_epsilon

    check_dataset(train, "train")
    check_dataset(test, "test")
    epsilon = check_epsilon(epsilon)
    epochs, batch_size = check_positive_int(epochs, "epochs"), check_positive_int(batch_size, "batch_size")
    lr, seed = check_positive(lr, "lr"), check_positive_int(seed, "seed", minimum=0)

    def fit_one(eps: float | None) -> nn.Module:
        return train_dpsgd(build_model("logistic", seed=seed), train, test, epsilon=eps, epochs=epochs,
                           batch_size=batch_size, lr=lr, accountant="rdp", seed=seed).model

    inputs = {"train": train.fingerprint(), "test": test.fingerprint(), "epochs": epochs, "batch_size": batch_size,
              "lr": lr, "seed": seed}
    return {"non-private": cached("inversion_targets", {**inputs, "epsilon": None}, lambda: fit_one(None)),
            f"DP-SGD, ε = {epsilon:g}": cached("inversion_targets", {**inputs, "epsilon": epsilon},
                                               lambda: fit_one(epsilon))}
