"""From scratch, for teaching: one DP-SGD gradient in a few dozen lines (tests/test_dpsgd.py checks it
against Opacus on the same model, batch, clipping norm and noise)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models import check_module
from ..validation import (
    ParameterTypeError,
    check_nonnegative,
    check_positive,
    check_positive_int,
)
from .private_training import NORM_EPSILON, _check_batch

__all__ = [
    "per_sample_gradients", "clip_per_sample", "add_gaussian_noise", "privatized_gradient",
    "per_sample_gradient_norms",
]



def per_sample_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradient of each example's loss, stacked along a new first axis: {name: (batch, *param.shape)}."""
    check_module(model)
    _check_batch(x, y)
    from torch.func import functional_call, grad, vmap

    params = {name: p.detach() for name, p in model.named_parameters()}

    def loss_of_one(parameters: dict[str, torch.Tensor], xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
        logits = functional_call(model, parameters, (xi.unsqueeze(0),))
        return nn.functional.cross_entropy(logits, yi.unsqueeze(0))

    return vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, x, y)


def _check_grads(grads: dict[str, torch.Tensor], name: str) -> None:
    if not isinstance(grads, dict) or not all(isinstance(g, torch.Tensor) for g in grads.values()):
        raise ParameterTypeError(f"{name} must be a dict of torch.Tensor (one per parameter), got "
                                 f"{type(grads).__name__}")
    if not grads:
        raise ValueError(f"{name} must be non-empty, got an empty dict")
    if not all(bool(torch.isfinite(g).all()) for g in grads.values()):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")


def clip_per_sample(grads: dict[str, torch.Tensor], max_grad_norm: float) -> dict[str, torch.Tensor]:
    """Scale each example's whole gradient (all parameters together) to L2 norm at most ``max_grad_norm``."""
    _check_grads(grads, "grads")
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    flat = torch.cat([g.reshape(len(g), -1) for g in grads.values()], dim=1)
    norms = flat.norm(2, dim=1)
    factor = (max_grad_norm / (norms + NORM_EPSILON)).clamp(max=1.0)
    return {name: torch.einsum("i,i...->i...", factor, g) for name, g in grads.items()}


def add_gaussian_noise(summed: dict[str, torch.Tensor], noise_multiplier: float, max_grad_norm: float,
                       generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Add N(0, (noise_multiplier * max_grad_norm)^2) to every coordinate of the summed clipped gradient."""
    _check_grads(summed, "summed")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ParameterTypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    std = noise_multiplier * max_grad_norm
    if std == 0:  # like Opacus: no draw at all, so the generator's stream is not advanced
        return dict(summed)
    return {name: g + torch.normal(0.0, std, size=g.shape, generator=generator, device=g.device)
            for name, g in summed.items()}


def privatized_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, max_grad_norm: float,
                        noise_multiplier: float, expected_batch_size: int | None = None,
                        generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """One DP-SGD gradient: per-sample grads, clip each, sum, add Gaussian noise, divide by the batch size.

    ``expected_batch_size`` is the divisor (Poisson sampling's expected batch, as in Opacus);
    it defaults to ``len(x)``. Abadi et al. 2016, Algorithm 1, lines 4-7.
    """
    check_module(model)
    _check_batch(x, y)
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    if expected_batch_size is not None:
        expected_batch_size = check_positive_int(expected_batch_size, "expected_batch_size")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ParameterTypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    clipped = clip_per_sample(per_sample_gradients(model, x, y), max_grad_norm)
    summed = {name: g.sum(dim=0) for name, g in clipped.items()}
    noisy = add_gaussian_noise(summed, noise_multiplier, max_grad_norm, generator)
    divisor = expected_batch_size or len(x)
    return {name: g / divisor for name, g in noisy.items()}


def per_sample_gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """L2 norm of each example's whole gradient (all parameters), as a NumPy array of length ``len(x)``."""
    check_module(model)
    _check_batch(x, y)
    grads = per_sample_gradients(model, x, y)
    return torch.cat([g.reshape(len(g), -1) for g in grads.values()], dim=1).norm(2, dim=1).numpy()
