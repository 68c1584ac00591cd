"""The server's round loop shared by FedAvg, FedProx and DP-FedAvg, and the comparison of runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..accounting import OPACUS_ORDERS, noise_multiplier_for, rdp_to_epsilon, subsampled_gaussian_rdp
from ..datasets import ImageDataset, check_dataset
from ..models import MODELS, build_model, check_module
from ..training import evaluate
from ..validation import (
    ParameterTypeError,
    check_delta,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)
from .client import WEIGHTINGS, _check_mu, aggregate, client_seed, client_update, clip_update, mean_loss
from .partitions import _check_clients

__all__ = [
    "clients_per_round", "history_row", "FederatedResult", "fedavg", "fedprox", "dp_fedavg", "ALGORITHMS",
    "rounds_to_reach", "compare_runs",
]

def clients_per_round(client_fraction: float, n_clients: int) -> int:
    """How many clients FedAvg samples per round: max(floor(C * K), 1), as Flower's ``FedAvg`` does."""
    client_fraction = check_probability(client_fraction, "client_fraction", open_low=True)
    n_clients = check_positive_int(n_clients, "n_clients")
    return max(int(client_fraction * n_clients), 1)


def history_row(round_number: int, model: nn.Module, test: ImageDataset, clients: int) -> dict[str, float | int]:
    """One row of a federated run's history (in-process or on Flower): round, test accuracy and loss, clients."""
    round_number = check_positive_int(round_number, "round_number", minimum=0)
    clients = check_positive_int(clients, "clients", minimum=0)
    check_module(model)
    check_dataset(test, "test")
    return {"round": round_number, "accuracy": evaluate(model, test), "loss": mean_loss(model, test),
            "clients": clients}


@dataclass(frozen=True)
class FederatedResult:
    """A federated run: the final global model, its accuracy and privacy, and one history row per round.

    The lab's result convention (frozen; first ``model``, ``accuracy``, ``epsilon``: the guarantee, None when
    not private, ``delta``, ``train_seconds``): see ``tests/test_results.py``.
    For DP-FedAvg ``epsilon`` is client-level (one client's whole data); ``history`` has one row per round
    (round 0 = the start): round, accuracy, loss, clients (+ epsilon after that round for DP-FedAvg).
    """

    model: nn.Module
    accuracy: float
    epsilon: float | None
    delta: float | None
    train_seconds: float = field(compare=False)
    history: pd.DataFrame = field(compare=False)

    @classmethod
    def from_history(cls, model: nn.Module, history: pd.DataFrame, train_seconds: float,
                     delta: float | None = None) -> FederatedResult:
        """The result whose accuracy (and, for DP-FedAvg, epsilon) is the history's last round."""
        check_module(model)
        if not isinstance(history, pd.DataFrame) or not {"round", "accuracy"} <= set(history.columns) or history.empty:
            raise ParameterTypeError(f"history must be a non-empty DataFrame with 'round' and 'accuracy' columns, "
                                     f"got {history!r:.80}")
        train_seconds = check_nonnegative(train_seconds, "train_seconds")
        if delta is not None:
            delta = check_delta(delta)
        last = history.iloc[-1]
        epsilon = float(last["epsilon"]) if "epsilon" in history.columns else None
        return cls(model, float(last["accuracy"]), epsilon, delta, float(train_seconds), history)








def _check_common(clients: Sequence[ImageDataset], test: ImageDataset, rounds: int, client_fraction: float,
                  local_epochs: int, batch_size: int, lr: float, weighting: str, model: str = "mlp",
                  seed: int = 0) -> None:
    _check_clients(clients)
    check_dataset(test, "test")
    check_positive_int(rounds, "rounds")
    check_probability(client_fraction, "client_fraction", open_low=True)
    check_positive_int(local_epochs, "local_epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive(lr, "lr")
    check_one_of(weighting, WEIGHTINGS, "weighting")
    check_one_of(model, MODELS, "model")
    check_positive_int(seed, "seed", minimum=0)


def _run(clients: Sequence[ImageDataset], test: ImageDataset, *, model: str, model_kwargs: dict | None,
         rounds: int, client_fraction: float, local_epochs: int, batch_size: int, lr: float, weighting: str,
         seed: int, progress: bool, mu: float = 0.0, dp: dict | None = None, description: str) -> FederatedResult:
    """The server loop shared by FedAvg, FedProx and DP-FedAvg."""
    from ..progress import Progress

    began = time.perf_counter()
    global_model = build_model(model, seed=seed, **(model_kwargs or {}))
    local_model = build_model(model, seed=seed, **(model_kwargs or {}))
    sampler = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    noise = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 2]).generate_state(1)[0]))
    if dp is not None:  # RDP composes additively, so one subsampled-Gaussian step's RDP times t gives round t
        rdp_one_round = subsampled_gaussian_rdp(dp["noise_multiplier"], client_fraction, OPACUS_ORDERS)
    rows = [history_row(0, global_model, test, 0)]
    if dp is not None:
        rows[0]["epsilon"] = 0.0
    n_clients = len(clients)
    for round_number in Progress(range(1, rounds + 1), desc=description, disable=not progress):
        if dp is None:  # FedAvg: a fixed-size uniform sample of max(C * K, 1) clients
            chosen = np.sort(sampler.choice(n_clients, clients_per_round(client_fraction, n_clients), replace=False))
        else:  # DP-FedAvg: each client joins independently with probability q (what the accountant assumes)
            chosen = np.flatnonzero(sampler.random(n_clients) < client_fraction)
        start = {name: tensor.detach().clone() for name, tensor in global_model.state_dict().items()}
        states, sizes = [], []
        for client in chosen:
            local_model.load_state_dict(start)
            client_update(local_model, clients[client], local_epochs, batch_size, lr, mu,
                          seed=client_seed(seed, round_number, int(client)))
            states.append({name: tensor.detach().clone() for name, tensor in local_model.state_dict().items()})
            sizes.append(len(clients[client]))
        if dp is None:
            if states:
                global_model.load_state_dict(aggregate(states, sizes, weighting))
        else:
            total = {name: torch.zeros_like(tensor) for name, tensor in start.items()}
            for state in states:
                clipped = clip_update({name: state[name] - start[name] for name in start}, dp["max_update_norm"])
                total = {name: total[name] + clipped[name] for name in total}
            std = dp["noise_multiplier"] * dp["max_update_norm"]
            expected = client_fraction * n_clients  # fixed denominator: the sum's sensitivity stays S / (qK)
            global_model.load_state_dict({name: start[name] + (total[name] + std * torch.randn(
                start[name].shape, generator=noise)) / expected for name in start})
        row = history_row(round_number, global_model, test, len(chosen))
        if dp is not None:
            row["epsilon"] = rdp_to_epsilon(rdp_one_round * round_number, dp["delta"], OPACUS_ORDERS)[0]
        rows.append(row)
    return FederatedResult.from_history(global_model, pd.DataFrame(rows), time.perf_counter() - began,
                                        None if dp is None else dp["delta"])


def fedavg(clients: Sequence[ImageDataset], test: ImageDataset, *, model: str = "mlp",
           model_kwargs: dict | None = None, rounds: int = 20, client_fraction: float = 0.1, local_epochs: int = 1,
           batch_size: int = 32, lr: float = 0.05, weighting: str = "size", seed: int = 0,
           progress: bool = True) -> FederatedResult:
    """FedAvg (McMahan et al. 2017, Algorithm 1): each round a fraction C of clients trains
    ``local_epochs`` of SGD from the global model and the server averages them weighted by size."""
    _check_common(clients, test, rounds, client_fraction, local_epochs, batch_size, lr, weighting, model, seed)
    return _run(clients, test, model=model, model_kwargs=model_kwargs, rounds=rounds, client_fraction=client_fraction,
                local_epochs=local_epochs, batch_size=batch_size, lr=lr, weighting=weighting, seed=seed,
                progress=progress, description="FedAvg rounds")


def fedprox(clients: Sequence[ImageDataset], test: ImageDataset, *, mu: float = 0.1, model: str = "mlp",
            model_kwargs: dict | None = None, rounds: int = 20, client_fraction: float = 0.1, local_epochs: int = 1,
            batch_size: int = 32, lr: float = 0.05, weighting: str = "size", seed: int = 0,
            progress: bool = True) -> FederatedResult:
    """FedProx (Li et al. 2020): FedAvg whose clients add ``mu / 2 * ||w - w_global||^2`` to their loss,
    so that on non-IID data local models drift less from the global one. ``mu=0`` is exactly FedAvg."""
    _check_common(clients, test, rounds, client_fraction, local_epochs, batch_size, lr, weighting, model, seed)
    mu = _check_mu(mu)
    return _run(clients, test, model=model, model_kwargs=model_kwargs, rounds=rounds, client_fraction=client_fraction,
                local_epochs=local_epochs, batch_size=batch_size, lr=lr, weighting=weighting, seed=seed,
                progress=progress, mu=mu, description=f"FedProx (mu={mu:g}) rounds")


def dp_fedavg(clients: Sequence[ImageDataset], test: ImageDataset, *, noise_multiplier: float | None = None,
              epsilon: float | None = None, max_update_norm: float = 1.0, delta: float = 1e-3,
              model: str = "mlp", model_kwargs: dict | None = None, rounds: int = 20, client_fraction: float = 0.1,
              local_epochs: int = 1, batch_size: int = 32, lr: float = 0.05, weighting: str = "uniform",
              seed: int = 0, progress: bool = True) -> FederatedResult:
    """DP-FedAvg (McMahan et al. 2018): Poisson-sampled clients, each update clipped to
    ``max_update_norm``, Gaussian noise of std ``noise_multiplier * max_update_norm`` on the sum, divided
    by the expected number of clients q * K. Client-level (epsilon, delta)-DP, accounted per round with
    Opacus's RDP accountant (sample rate q = ``client_fraction``) in the history's ``epsilon`` column.

    Give either ``noise_multiplier`` or a target ``epsilon`` after ``rounds`` (Opacus picks sigma).
    Every client weighs the same (``weighting="uniform"``): weighting by size would let one large
    client move the sum by more than the clipping bound. ``delta`` should be below 1 / number of clients.
    """
    _check_common(clients, test, rounds, client_fraction, local_epochs, batch_size, lr, weighting, model, seed)
    if weighting != "uniform":
        raise ValueError(f"weighting must be 'uniform' for DP-FedAvg (the noise is calibrated to equal "
                         f"client weights), got {weighting!r}")
    if (noise_multiplier is None) == (epsilon is None):
        raise ValueError(f"give exactly one of noise_multiplier or epsilon, got noise_multiplier={noise_multiplier!r} "
                         f"and epsilon={epsilon!r}")
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) for the Gaussian mechanism, got 0.0")
    max_update_norm = check_positive(max_update_norm, "max_update_norm")
    if epsilon is not None:
        noise_multiplier = noise_multiplier_for(epsilon, delta, float(client_fraction), steps=int(rounds),
                                                accountant="rdp")
    noise_multiplier = check_positive(noise_multiplier, "noise_multiplier")
    dp = {"noise_multiplier": noise_multiplier, "max_update_norm": max_update_norm, "delta": delta}
    return _run(clients, test, model=model, model_kwargs=model_kwargs, rounds=rounds, client_fraction=client_fraction,
                local_epochs=local_epochs, batch_size=batch_size, lr=lr, weighting=weighting, seed=seed,
                progress=progress, dp=dp, description=f"DP-FedAvg (sigma={noise_multiplier:.2f}) rounds")


#: The three algorithms side by side: same positional arguments, same keyword arguments, one knob each.
ALGORITHMS = {"FedAvg": fedavg, "FedProx": fedprox, "DP-FedAvg": dp_fedavg}


def rounds_to_reach(history: pd.DataFrame, target_accuracy: float) -> int | None:
    """The first round whose test accuracy is >= ``target_accuracy`` (None if never reached)."""
    check_probability(target_accuracy, "target_accuracy")
    if not isinstance(history, pd.DataFrame) or not {"round", "accuracy"} <= set(history.columns):
        raise ParameterTypeError(f"history must be a DataFrame with 'round' and 'accuracy' columns, "
                                 f"got {type(history).__name__}")
    reached = history.loc[history["accuracy"] >= target_accuracy, "round"]
    return int(reached.iloc[0]) if len(reached) else None


def compare_runs(histories: dict[tuple, pd.DataFrame], target_accuracy: float, last_rounds: int = 5) -> pd.DataFrame:
    """One row per setting, over seeds: histories are keyed ``(*setting, seed)`` (the seed last).

    Reports the final accuracy's mean and standard deviation over seeds, the mean over the last
    ``last_rounds`` rounds (steadier when non-IID curves zig-zag), and each seed's round to reach
    ``target_accuracy`` ("-" when never). Differences smaller than the standard deviation are noise.
    """
    check_probability(target_accuracy, "target_accuracy")
    last_rounds = check_positive_int(last_rounds, "last_rounds")
    if not isinstance(histories, dict) or not histories:
        raise ParameterTypeError(f"histories must be a non-empty dict {{(*setting, seed): history}}, "
                                 f"got {histories!r:.80}")
    if not all(isinstance(key, tuple) and len(key) >= 2 for key in histories):
        raise ValueError("histories must be keyed by tuples (*setting, seed) with at least one setting field")
    settings: dict[tuple, list[pd.DataFrame]] = {}
    for key, history in histories.items():
        rounds_to_reach(history, target_accuracy)  # checks the history's columns
        settings.setdefault(key[:-1], []).append(history)
    rows = []
    for setting, runs in settings.items():
        final = np.array([run["accuracy"].iloc[-1] for run in runs])
        tail = np.array([run["accuracy"].iloc[-last_rounds:].mean() for run in runs])
        reached = [rounds_to_reach(run, target_accuracy) for run in runs]
        rows.append({"setting": " · ".join(str(part) for part in setting), "seeds": len(runs),
                     "final accuracy": final.mean(), "± sd": final.std(ddof=1) if len(runs) > 1 else float("nan"),
                     f"mean of last {last_rounds} rounds": tail.mean(),
                     "rounds to target, per seed": ", ".join("-" if r is None else str(r) for r in reached)})
    return pd.DataFrame(rows).set_index("setting")
