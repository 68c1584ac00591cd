"""Federated learning in one process: client partitions, FedAvg, FedProx and DP-FedAvg.

Taught in ``notebooks/05_federated_learning.ipynb``. FedAvg follows McMahan et al. 2017
("Communication-Efficient Learning of Deep Networks from Decentralized Data", Algorithm 1);
FedProx follows Li et al. 2020 ("Federated Optimization in Heterogeneous Networks");
DP-FedAvg follows McMahan et al. 2018 ("Learning Differentially Private Recurrent Language
Models", fixed-denominator estimator). :func:`fedavg`, :func:`fedprox` and :func:`dp_fedavg` share
one signature (``clients, test`` plus the same keyword arguments; each adds its own knob) and
return the same :class:`FederatedResult`. ``ppml_lab.flower_sim`` runs the same FedAvg on Flower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from .accounting import OPACUS_ORDERS, noise_multiplier_for, rdp_to_epsilon, subsampled_gaussian_rdp
from .datasets import ImageDataset, check_dataset
from .models import MODELS, build_model
from .seeding import as_rng
from .training import evaluate, fit, make_loader, predict_proba, train_classifier
from .validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = ["partition_iid", "partition_dirichlet", "partition", "label_mix", "client_seed", "client_update",
           "aggregate", "FederatedResult", "fedavg", "fedprox", "dp_fedavg", "ALGORITHMS",
           "clip_update", "rounds_to_reach", "compare_runs", "mean_loss"]

WEIGHTINGS = ("size", "uniform")


# --------------------------------------------------------------------------- partitions

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


# --------------------------------------------------------------------------- one client, one server step

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


# --------------------------------------------------------------------------- the round loop

@dataclass
class FederatedResult:
    """A federated run: the final global model and one history row per round (round 0 = the start)."""

    model: nn.Module
    history: pd.DataFrame  # columns: round, accuracy, loss, clients (+ epsilon for DP-FedAvg)

    @property
    def accuracy(self) -> float:
        """Test accuracy of the final global model."""
        return float(self.history["accuracy"].iloc[-1])






def _check_clients(clients: Sequence[ImageDataset]) -> None:
    if not isinstance(clients, Sequence):
        raise ParameterTypeError(f"clients must be a list of ImageDatasets, got {type(clients).__name__}")
    if len(clients) == 0:
        raise ValueError("clients must be a non-empty list of datasets, got 0 clients")
    for k, client in enumerate(clients):
        check_dataset(client, f"clients[{k}]")


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
    from .progress import Progress

    global_model = build_model(model, seed=seed, **(model_kwargs or {}))
    local_model = build_model(model, seed=seed, **(model_kwargs or {}))
    sampler = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    noise = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, 2]).generate_state(1)[0]))
    if dp is not None:  # RDP composes additively, so one subsampled-Gaussian step's RDP times t gives round t
        rdp_one_round = subsampled_gaussian_rdp(dp["noise_multiplier"], client_fraction, OPACUS_ORDERS)
    rows = [{"round": 0, "accuracy": evaluate(global_model, test), "loss": mean_loss(global_model, test), "clients": 0}]
    if dp is not None:
        rows[0]["epsilon"] = 0.0
    n_clients = len(clients)
    for round_number in Progress(range(1, rounds + 1), desc=description, disable=not progress):
        if dp is None:  # FedAvg: a fixed-size uniform sample of max(C * K, 1) clients
            chosen = np.sort(sampler.choice(n_clients, max(int(round(client_fraction * n_clients)), 1), replace=False))
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
        row = {"round": round_number, "accuracy": evaluate(global_model, test),
               "loss": mean_loss(global_model, test), "clients": len(chosen)}
        if dp is not None:
            row["epsilon"] = rdp_to_epsilon(rdp_one_round * round_number, dp["delta"], OPACUS_ORDERS)[0]
        rows.append(row)
    return FederatedResult(global_model, pd.DataFrame(rows))


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
