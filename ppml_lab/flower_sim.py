"""The lab's FedAvg run on Flower's Simulation Engine (``flwr[simulation]``, the ``fl`` extra).

Taught in ``notebooks/05_federated_learning.ipynb`` ("Scaling out"). The ``ClientApp`` trains with
the very :func:`ppml_lab.federated.client_update` the in-process :func:`ppml_lab.federated.fedavg`
uses, with the same per-(round, client) seeds, and the ``ServerApp`` runs Flower's own
``FedAvg`` strategy (size-weighted by ``num-examples``), so a seeded IID run with every client
taking part reproduces the in-process one. Each simulated client (a virtual SuperNode) rebuilds
its shard from the partition seed instead of receiving data, as a real device would hold it.
The same two apps deploy across machines with ``flower-superlink`` and one ``flower-supernode``
per device. ``flwr`` is imported only inside these functions, so the package works without it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import time
import warnings

from .datasets import ImageDataset, load_mnist5k, train_test_split
from .federated import (
    FederatedResult,
    client_seed,
    client_update,
    clients_per_round,
    history_row,
    partition,
)
from .federated.client import _check_mu
from .models import build_model
from .ray_runtime import START_ATTEMPTS  # shared with ppml_lab.sweep's Ray backend
from .ray_runtime import shutdown_ray as _shutdown_ray
from .validation import ParameterTypeError, check_positive, check_positive_int, check_probability

__all__ = ["mnist_split", "client_datasets", "make_client_app", "make_server_app", "run_fedavg", "FLOWER_MISSING"]

FLOWER_MISSING = ('Flower is not installed: install the "fl" extra, pip install -e ".[fl]" '
                  '(flwr[simulation], which brings Ray).')


def _import_flower():
    """Import Flower lazily with its telemetry off (the lab runs offline) or explain how to install it.

    Ray is imported here too, in the calling thread: Flower would otherwise import it inside its
    simulation thread while the server thread polls, which on two busy cores took 15 s longer.
    """
    os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")
    # The raylet waits for Ray's dashboard agent to report its ports; on a busy machine the agent's start
    # outlasts the default wait and the raylet aborts ("node timed out during startup", ray-project/ray#62883).
    os.environ.setdefault("RAY_agent_register_timeout_ms", "120000")
    try:
        import flwr  # noqa: F401
        import ray  # noqa: F401
    except ImportError as error:
        raise ImportError(FLOWER_MISSING) from error
    import flwr.app
    import flwr.clientapp
    import flwr.serverapp
    import flwr.simulation

    return flwr


def _check_settings(n_clients: int, alpha: float | None, partition_seed: int, rounds: int, client_fraction: float,
                    local_epochs: int, batch_size: int, lr: float, mu: float, seed: int) -> None:
    """The checks :func:`run_fedavg` and :func:`make_server_app` share (FedProx's ``mu`` as in ``federated``)."""
    check_positive_int(n_clients, "n_clients", minimum=2)
    if alpha is not None:
        check_positive(alpha, "alpha")
    check_positive_int(partition_seed, "partition_seed", minimum=0)
    check_positive_int(rounds, "rounds")
    check_probability(client_fraction, "client_fraction", open_low=True)
    check_positive_int(local_epochs, "local_epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive(lr, "lr")
    _check_mu(mu)
    check_positive_int(seed, "seed", minimum=0)


@functools.lru_cache(maxsize=1)
def mnist_split() -> tuple[ImageDataset, ImageDataset]:
    """The lab's MNIST subset split (train, test) = ``train_test_split(load_mnist5k(), 0.2, rng=0)``."""
    return train_test_split(load_mnist5k(), 0.2, rng=0)


@functools.lru_cache(maxsize=4)
def client_datasets(n_clients: int, alpha: float | None, partition_seed: int) -> list[ImageDataset]:
    """Every client's shard of :func:`mnist_split`'s training half (cached once per simulation process)."""
    return partition(mnist_split()[0], n_clients, alpha, rng=partition_seed)


def _train(message, context):  # noqa: ANN001, ANN202 - Flower's ClientApp signature
    """ClientApp ``train``: load the global arrays, run local epochs, reply with the new arrays."""
    import torch
    from flwr.app import ArrayRecord, Message, MetricRecord, RecordDict

    torch.set_num_threads(1)  # one core per simulated client; the Ray pool sets how many run at once
    config = message.content["config"]
    client = int(context.node_config["partition-id"])
    alpha = None if float(config["alpha"]) <= 0 else float(config["alpha"])
    data = client_datasets(int(context.node_config["num-partitions"]), alpha, int(config["partition-seed"]))[client]
    model = build_model(str(config["model"]), seed=0, **json.loads(str(config["model-kwargs"])))
    model.load_state_dict(message.content["arrays"].to_torch_state_dict())
    seed = client_seed(int(config["seed"]), int(config["server-round"]), client)
    loss = client_update(model, data, int(config["local-epochs"]), int(config["batch-size"]), float(config["lr"]),
                         float(config["mu"]), seed=seed)
    reply = RecordDict({"arrays": ArrayRecord(model.state_dict()),
                        "metrics": MetricRecord({"train-loss": float(loss), "num-examples": len(data)})})
    return Message(content=reply, reply_to=message)


def make_client_app():  # noqa: ANN201 - returns flwr.clientapp.ClientApp (optional dependency)
    """A Flower ``ClientApp`` whose ``train`` runs :func:`ppml_lab.federated.client_update` on this node's shard."""
    flwr = _import_flower()
    app = flwr.clientapp.ClientApp()
    app.train()(_train)
    return app


def make_server_app(n_clients: int, *, alpha: float | None, partition_seed: int, model: str, model_kwargs: dict,
                    rounds: int, client_fraction: float, local_epochs: int, batch_size: int, lr: float, mu: float,
                    seed: int, outcome: dict, progress: bool):  # noqa: ANN201 - flwr.serverapp.ServerApp
    """A Flower ``ServerApp`` running Flower's ``FedAvg`` strategy, evaluating the global model on the
    test half after every round: one history row per round goes to ``outcome["rows"]`` and the latest
    global weights to ``outcome["state"]``."""
    _check_settings(n_clients, alpha, partition_seed, rounds, client_fraction, local_epochs, batch_size, lr, mu, seed)
    if not isinstance(outcome, dict):
        raise ParameterTypeError(f"outcome must be a dict to receive the rows and state, got {type(outcome).__name__}")
    flwr = _import_flower()
    from flwr.app import ArrayRecord, ConfigRecord, MetricRecord
    from flwr.serverapp.strategy import FedAvg

    from .progress import Progress

    test = mnist_split()[1]
    app = flwr.serverapp.ServerApp()

    @app.main()
    def main(grid, context) -> None:  # noqa: ANN001
        global_model = build_model(model, seed=seed, **model_kwargs)
        bar = Progress(total=rounds, desc="Flower FedAvg rounds", disable=not progress)

        def evaluate_global(server_round: int, arrays: ArrayRecord) -> MetricRecord:
            global_model.load_state_dict(arrays.to_torch_state_dict())
            row = history_row(server_round, global_model, test,
                              0 if server_round == 0 else clients_per_round(client_fraction, n_clients))
            outcome["rows"].append(row)
            outcome["state"] = {name: tensor.clone() for name, tensor in global_model.state_dict().items()}
            bar.update(1 if server_round else 0)
            return MetricRecord({"accuracy": row["accuracy"], "loss": row["loss"]})

        strategy = FedAvg(fraction_train=client_fraction, fraction_evaluate=0.0,
                          min_train_nodes=clients_per_round(client_fraction, n_clients), min_evaluate_nodes=0,
                          min_available_nodes=n_clients)
        train_config = ConfigRecord({
            "alpha": -1.0 if alpha is None else float(alpha), "partition-seed": partition_seed, "model": model,
            "model-kwargs": json.dumps(model_kwargs), "local-epochs": local_epochs, "batch-size": batch_size,
            "lr": lr, "mu": mu, "seed": seed})
        saved = random.getstate()  # Flower samples clients with the `random` module: seed it, then restore it
        random.seed(seed)
        try:
            strategy.start(grid=grid, initial_arrays=ArrayRecord(global_model.state_dict()), num_rounds=rounds,
                           train_config=train_config, evaluate_fn=evaluate_global)
        finally:
            random.setstate(saved)
            bar.close()

    return app


def run_fedavg(n_clients: int, *, alpha: float | None = None, partition_seed: int = 0, model: str = "mlp",
               model_kwargs: dict | None = None, rounds: int = 20, client_fraction: float = 0.1,
               local_epochs: int = 1, batch_size: int = 32, lr: float = 0.05, mu: float = 0.0, seed: int = 0,
               num_cpus: int = 1, progress: bool = True, quiet: bool = True) -> FederatedResult:
    """FedAvg (FedProx when ``mu > 0``) on Flower's Simulation Engine with ``n_clients`` virtual SuperNodes.

    Clients hold ``partition(mnist_split()[0], n_clients, alpha, rng=partition_seed)``, as for the
    in-process :func:`ppml_lab.federated.fedavg`, whose keyword arguments these mirror. Ray starts with
    ``num_cpus`` CPUs (no dashboard) and one CPU per client, so ``num_cpus`` clients train at once. The
    default, 1, starts a single Ray worker: for the lab's tiny models on two cores, starting a second
    worker process costs more than the parallel training saves (measured: 64 s against 86 s);
    ``quiet`` hides Flower's log below ERROR (per-round lines, run_simulation's deprecation notice: the CLI
    ``flwr run`` is the long-term entry point) and the Ray workers' output. The returned model is the final global one.
    """
    _check_settings(n_clients, alpha, partition_seed, rounds, client_fraction, local_epochs, batch_size, lr, mu, seed)
    num_cpus = check_positive_int(num_cpus, "num_cpus")
    client_datasets(n_clients, alpha, partition_seed)  # fail here, not inside a Ray worker, on a bad partition
    model_kwargs = dict(model_kwargs or {})
    build_model(model, **model_kwargs)  # validates the model name and arguments
    flwr = _import_flower()

    began = time.perf_counter()
    outcome: dict = {"rows": [], "state": None}
    server_app = make_server_app(n_clients, alpha=alpha, partition_seed=partition_seed, model=model,
                                 model_kwargs=model_kwargs, rounds=rounds, client_fraction=client_fraction,
                                 local_epochs=local_epochs, batch_size=batch_size, lr=lr, mu=float(mu), seed=seed,
                                 outcome=outcome, progress=progress)
    backend_config = {"init_args": {"num_cpus": num_cpus, "num_gpus": 0, "include_dashboard": False,
                                    "log_to_driver": not quiet},
                      "client_resources": {"num_cpus": 1, "num_gpus": 0.0}}
    logger = logging.getLogger("flwr")
    level = logger.level
    if quiet:
        logger.setLevel(logging.ERROR)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            outcome["rows"].clear()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # run_simulation's own deprecation notice points to the CLI
                    flwr.simulation.run_simulation(server_app=server_app, client_app=make_client_app(),
                                                   num_supernodes=n_clients, backend_config=backend_config)
                break
            except RuntimeError:  # "Simulation Runtime crashed": on a busy machine Ray may not start in time
                _shutdown_ray()
                if attempt == START_ATTEMPTS:
                    raise
    finally:
        logger.setLevel(level)
    if len(outcome["rows"]) != rounds + 1:
        raise RuntimeError(f"the Flower simulation finished {len(outcome['rows']) - 1} of {rounds} rounds; "
                           "rerun with quiet=False to see Flower's log")
    import pandas as pd

    final = build_model(model, seed=seed, **model_kwargs)
    final.load_state_dict(outcome["state"])
    return FederatedResult.from_history(final, pd.DataFrame(outcome["rows"]), time.perf_counter() - began)
