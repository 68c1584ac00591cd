"""The lab's FedAvg on Flower's Deployment Engine: a SuperLink and one SuperNode process per client.

Taught in ``notebooks/05_federated_learning.ipynb`` ("Beyond one machine"). The same ClientApp and
ServerApp as :mod:`ppml_lab.flower_sim` (which runs them on the Simulation Engine, in one process),
here deployed as separate processes talking over HTTP on 127.0.0.1 (:mod:`.launcher`). With every
client in every round (``client_fraction=1``) and the same seeds, the final weights agree with the
in-process :func:`ppml_lab.federated.fedavg` up to float32 rounding: Flower sums the clients' weighted
arrays in the order their replies arrive, the lab in client order (:func:`max_weight_difference`).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from ..federated import FederatedResult
from ..flower_sim import _check_settings, client_datasets
from ..models import build_model, check_module
from ..validation import ParameterTypeError, check_positive
from .launcher import run_app, write_app

__all__ = ["write_fedavg_app", "run_fedavg", "max_weight_difference", "SERVERAPP", "CLIENTAPP"]


#: Where each part of the lab's FedAvg app lives: every machine of the federation imports them.
SERVERAPP, CLIENTAPP = ("ppml_lab.flower_deployment.fedavg_app:server_app",
                        "ppml_lab.flower_deployment.fedavg_app:client_app")


def write_fedavg_app(directory: str | Path, n_clients: int, *, result_path: str | Path = "result.pt",
                     alpha: float | None = None, partition_seed: int = 0, model: str = "logistic",
                     model_kwargs: dict | None = None, rounds: int = 2, client_fraction: float = 1.0,
                     local_epochs: int = 1, batch_size: int = 32, lr: float = 0.1, mu: float = 0.0,
                     seed: int = 0) -> Path:
    """Write the Flower App that ``flwr run`` submits for the lab's FedAvg (its ``pyproject.toml``) into
    ``directory``; the keyword arguments become its run config, ``result_path`` is where the ServerApp saves
    the history and the final weights (on the SuperLink's machine)."""
    _check_settings(n_clients, alpha, partition_seed, rounds, client_fraction, local_epochs, batch_size, lr, mu, seed)
    model_kwargs = dict(model_kwargs or {})
    build_model(model, **model_kwargs)  # validates the model name and arguments here, not in a SuperNode
    if not isinstance(result_path, (str, Path)) or not str(result_path):
        raise ParameterTypeError(f"result_path must be a non-empty path, got {result_path!r}")
    run_config = {"n-clients": n_clients, "alpha": -1.0 if alpha is None else float(alpha),
                  "partition-seed": partition_seed, "model": model, "model-kwargs": json.dumps(model_kwargs),
                  "rounds": rounds, "client-fraction": float(client_fraction), "local-epochs": local_epochs,
                  "batch-size": batch_size, "lr": float(lr), "mu": float(mu), "seed": seed,
                  "result-path": str(result_path)}
    return write_app(directory, "ppml-lab-fedavg", SERVERAPP, CLIENTAPP, run_config)


def run_fedavg(n_clients: int, *, alpha: float | None = None, partition_seed: int = 0, model: str = "logistic",
               model_kwargs: dict | None = None, rounds: int = 2, client_fraction: float = 1.0,
               local_epochs: int = 1, batch_size: int = 32, lr: float = 0.1, mu: float = 0.0, seed: int = 0,
               timeout: float = 300.0) -> FederatedResult:
    """FedAvg with ``n_clients`` SuperNode processes on loopback; the keyword arguments are
    :func:`ppml_lab.flower_sim.run_fedavg`'s. Every process is stopped when it returns or raises
    (:class:`ppml_lab.flower_deployment.DeploymentError` after ``timeout`` seconds)."""
    settings = {"alpha": alpha, "partition_seed": partition_seed, "model": model, "model_kwargs": model_kwargs,
                "rounds": rounds, "client_fraction": client_fraction, "local_epochs": local_epochs,
                "batch_size": batch_size, "lr": lr, "mu": mu, "seed": seed}
    _check_settings(n_clients, alpha, partition_seed, rounds, client_fraction, local_epochs, batch_size, lr, mu, seed)
    timeout = check_positive(timeout, "timeout")
    model_kwargs = dict(model_kwargs or {})
    build_model(model, **model_kwargs)
    client_datasets(n_clients, alpha, partition_seed)  # a bad partition fails here, not in a SuperNode
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ppml-lab-fedavg-") as scratch:
        result_path = Path(scratch) / "result.pt"
        app = write_fedavg_app(Path(scratch) / "app", n_clients, result_path=result_path, **settings)
        nodes = [{"partition-id": client, "num-partitions": n_clients} for client in range(n_clients)]
        run_app(app, nodes, result_path, timeout=timeout)
        outcome = torch.load(result_path, weights_only=False)
    import pandas as pd

    final = build_model(model, seed=seed, **model_kwargs)
    final.load_state_dict(outcome["state"])
    return FederatedResult.from_history(final, pd.DataFrame(outcome["rows"]), time.perf_counter() - began)


def max_weight_difference(first: nn.Module, second: nn.Module) -> float:
    """The largest absolute difference between two models' parameters and buffers (same architecture)."""
    check_module(first, "first")
    check_module(second, "second")
    a, b = first.state_dict(), second.state_dict()
    if a.keys() != b.keys() or any(a[name].shape != b[name].shape for name in a):
        raise ValueError(f"first and second must have the same parameters and shapes, got {sorted(a)} and {sorted(b)}")
    return max((float((a[name].double() - b[name].double()).abs().max()) for name in a), default=0.0)
