"""The Flower App that :func:`ppml_lab.flower_deployment.run_fedavg` deploys: the lab's FedAvg, one process per party.

``client_app`` is :func:`ppml_lab.flower_sim.make_client_app`'s ClientApp (local training with
:func:`ppml_lab.federated.client_update` on the SuperNode's shard, found from its node config
``partition-id`` / ``num-partitions``), and ``server_app`` runs :func:`ppml_lab.flower_sim.make_server_app`'s
Flower ``FedAvg`` with the settings of the run config, then saves the per-round history and the final
global weights to the run config's ``result-path`` (``torch.save``; written once, atomically). This module
imports Flower: the Deployment Engine imports it in its ``flwr-serverapp`` and ``flwr-clientapp`` processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from flwr.serverapp import ServerApp

from .. import flower_sim

__all__ = ["client_app", "server_app"]

#: The ClientApp every SuperNode runs: the same one as on the Simulation Engine.
client_app = flower_sim.make_client_app()

#: The ServerApp the SuperLink runs.
server_app = ServerApp()


def _settings(config: dict) -> dict:
    """``flower_sim.make_server_app``'s keyword arguments from the run config (``alpha <= 0`` means IID)."""
    alpha = float(config["alpha"])
    return {"n_clients": int(config["n-clients"]), "alpha": None if alpha <= 0 else alpha,
            "partition_seed": int(config["partition-seed"]), "model": str(config["model"]),
            "model_kwargs": json.loads(str(config["model-kwargs"])), "rounds": int(config["rounds"]),
            "client_fraction": float(config["client-fraction"]), "local_epochs": int(config["local-epochs"]),
            "batch_size": int(config["batch-size"]), "lr": float(config["lr"]), "mu": float(config["mu"]),
            "seed": int(config["seed"])}


@server_app.main()
def _main(grid, context) -> None:  # noqa: ANN001 - Flower's ServerApp signature
    """Run FedAvg for the configured rounds and save ``{"rows", "state"}`` to ``result-path``."""
    torch.set_num_threads(1)
    outcome: dict = {"rows": [], "state": None}
    flower_sim.make_server_app(**_settings(dict(context.run_config)), outcome=outcome, progress=False)(grid, context)
    path = Path(str(context.run_config["result-path"]))
    partial = path.with_name(path.name + ".part")
    torch.save(outcome, partial)
    partial.rename(path)
