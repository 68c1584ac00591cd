"""Small PyTorch models sized for 2 CPU cores and the 5,000-image MNIST subset.

Every lesson builds its models here, so a fix reaches all of them. All are Opacus-compatible
(no BatchNorm) except :func:`cnn_with_batchnorm`, which exists to show the validator at work.
"""

from __future__ import annotations

import torch
from torch import nn

from .validation import ParameterTypeError, check_one_of, check_positive_int

__all__ = ["MODELS", "build_model", "check_module", "cnn_with_batchnorm", "logistic_regression", "mlp", "small_cnn"]


def check_module(model: nn.Module, name: str = "model") -> nn.Module:
    """``model`` if it is a ``torch.nn.Module``, else a ``TypeError`` naming ``name``."""
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def logistic_regression(n_features: int = 784, n_classes: int = 10) -> nn.Module:
    """Multinomial logistic regression on flattened inputs."""
    n_features, n_classes = check_positive_int(n_features, "n_features"), check_positive_int(n_classes, "n_classes", 2)
    return nn.Sequential(nn.Flatten(), nn.Linear(n_features, n_classes))


def mlp(n_features: int = 784, n_classes: int = 10, hidden: int = 128) -> nn.Module:
    """One-hidden-layer perceptron on flattened inputs."""
    n_features, n_classes = check_positive_int(n_features, "n_features"), check_positive_int(n_classes, "n_classes", 2)
    hidden = check_positive_int(hidden, "hidden")
    return nn.Sequential(nn.Flatten(), nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))


def _check_channels(channels: int) -> int:
    """GroupNorm(4, channels) needs a multiple of 4."""
    channels = check_positive_int(channels, "channels")
    if channels % 4:
        raise ValueError(f"channels must be a positive multiple of 4 (GroupNorm uses 4 groups), got {channels}")
    return channels


def small_cnn(n_classes: int = 10, channels: int = 16) -> nn.Module:
    """Two conv layers with GroupNorm (DP-friendly: no cross-sample statistics) for 1x28x28 inputs."""
    n_classes, channels = check_positive_int(n_classes, "n_classes", 2), _check_channels(channels)
    return nn.Sequential(
        nn.Conv2d(1, channels, 5, stride=2, padding=2), nn.GroupNorm(4, channels), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 5, stride=2, padding=2), nn.GroupNorm(4, 2 * channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(2 * channels * 16, n_classes),
    )


def cnn_with_batchnorm(n_classes: int = 10, channels: int = 16) -> nn.Module:
    """The same CNN with BatchNorm: fine without DP, rejected by Opacus's ModuleValidator."""
    n_classes, channels = check_positive_int(n_classes, "n_classes", 2), _check_channels(channels)
    return nn.Sequential(
        nn.Conv2d(1, channels, 5, stride=2, padding=2), nn.BatchNorm2d(channels), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 5, stride=2, padding=2), nn.BatchNorm2d(2 * channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(2 * channels * 16, n_classes),
    )


MODELS = {"logistic": logistic_regression, "mlp": mlp, "cnn": small_cnn, "cnn_bn": cnn_with_batchnorm}


def build_model(name: str, seed: int = 0, **kwargs) -> nn.Module:
    """Build model ``name`` with weights initialised from ``seed`` (independent of global state)."""
    check_one_of(name, MODELS, "name")
    seed = check_positive_int(seed, "seed", minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return MODELS[name](**kwargs)
