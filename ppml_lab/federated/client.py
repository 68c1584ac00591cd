"""One client's local training (FedAvg's ClientUpdate, FedProx's proximal step) and one server step."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..datasets import ImageDataset, check_dataset
from ..training import fit, make_loader, predict_proba, train_classifier
from ..validation import (
    ParameterTypeError,
    check_array,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
)

__all__ = ["WEIGHTINGS", "client_seed", "client_update", "aggregate", "clip_update", "mean_loss"]

#: How FedAvg weighs clients: by their number of examples (McMahan et al. 2017), or each the same.
WEIGHTINGS = ("size", "uniform")

def client_seed(seed: int, round_number: int, client: int) -> int:
    """The seed for ``client``'s local shuffling in ``round_number`` (the same in-process and on Flower)."""
    seed = check_positive_int(seed, "seed", minimum=0)
    round_number = check_positive_int(round_number, "round_number", minimum=0)
    client = check_positive_int(client, "client", minimum=0)
    return int(np.random.SeedSequence([seed, round_number, client]).generate_state(1)[0])


def _check_mu(mu: float) -> float:
    """FedProx's proximal weight: a finite number >= 0 (the one check used here and by ``flower_sim``)."""
    return check_nonnegative(mu, "mu")


def client_update(model: nn.Module, data: ImageDataset, local_epochs: int = 1, batch_size: int = 32,
                  lr: float = 0.05, mu: float = 0.0, seed: int = 0) -> float:
    """Train ``model`` in place on one client's data and return the last epoch's mean loss.

    With ``mu == 0`` this is plain local SGD (FedAvg's ClientUpdate) and reuses
    :func:`ppml_lab.training.train_classifier`; with ``mu > 0`` each step adds FedProx's proximal term
    ``mu / 2 * ||w - w_global||^2``, which keeps the local model near the global one it started from.
    """
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_dataset(data, "data")
    local_epochs = check_positive_int(local_epochs, "local_epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    mu = _check_mu(mu)
    seed = check_positive_int(seed, "seed", minimum=0)
    if mu == 0.0:
        return train_classifier(model, data, epochs=local_epochs, batch_size=batch_size, lr=lr, seed=seed).losses[-1]
    global_params = [p.detach().clone() for p in model.parameters()]

    @torch.no_grad()
    def proximal_gradient() -> None:  # the gradient of mu / 2 * ||w - w_global||^2 is mu * (w - w_global)
        for parameter, start in zip(model.parameters(), global_params):
            parameter.grad.add_(parameter - start, alpha=mu)

    loader = make_loader(data, batch_size, shuffle=True, seed=seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return fit(model, loader, optimizer, local_epochs, after_backward=proximal_gradient)[-1]


def aggregate(states: Sequence[dict[str, torch.Tensor]], sizes: Sequence[int],
              weighting: str = "size") -> dict[str, torch.Tensor]:
    """Average client models: ``"size"`` weights client k by n_k / n (FedAvg), ``"uniform"`` by 1 / K.

    Only the size-weighted average optimises the loss over all examples, sum_k (n_k / n) F_k(w);
    the uniform mean gives a client with 10 examples the say of one with 1,000.
    """
    check_one_of(weighting, WEIGHTINGS, "weighting")
    if not isinstance(states, Sequence) or not all(isinstance(state, dict) for state in states):
        raise ParameterTypeError(f"states must be a list of dicts (parameter name -> tensor), "
                                 f"got {type(states).__name__}")
    sizes = check_array(sizes, "sizes", ndim=1, nonempty=False)
    if len(states) == 0 or len(states) != len(sizes):
        raise ValueError(f"states and sizes must be non-empty and of equal length, got {len(states)} and {len(sizes)}")
    if np.any(sizes <= 0):
        raise ValueError(f"sizes must all be > 0, got {sizes.tolist()}")
    weights = sizes if weighting == "size" else np.ones(len(states))
    weights = weights / weights.sum()
    return {name: sum(float(w) * state[name] for w, state in zip(weights, states)) for name in states[0]}


def clip_update(update: dict[str, torch.Tensor], max_update_norm: float) -> dict[str, torch.Tensor]:
    """Scale a model update so its L2 norm (over all parameters) is at most ``max_update_norm``."""
    max_update_norm = check_positive(max_update_norm, "max_update_norm")
    if not isinstance(update, dict) or not all(isinstance(delta, torch.Tensor) for delta in update.values()):
        raise ParameterTypeError(f"update must be a dict (parameter name -> tensor), got {type(update).__name__}")
    if not update or not all(bool(torch.isfinite(delta).all()) for delta in update.values()):
        raise ValueError("update must be a non-empty dict of finite tensors (no NaN or inf)")
    norm = torch.sqrt(sum((delta.double() ** 2).sum() for delta in update.values())).item()
    factor = min(1.0, max_update_norm / (norm + 1e-12))
    return {name: delta * factor for name, delta in update.items()}


def mean_loss(model: nn.Module, data: ImageDataset) -> float:
    """Mean cross-entropy of ``model`` on ``data`` (nats): the history's ``loss`` column."""
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_dataset(data, "data")
    probabilities = predict_proba(model, data.images)
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(data)), data.labels], 1e-12, None))))
