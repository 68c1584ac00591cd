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

from .client import (
    WEIGHTINGS,
    aggregate,
    client_seed,
    client_update,
    clip_update,
    mean_loss,
)
from .partitions import (
    label_mix,
    partition,
    partition_dirichlet,
    partition_iid,
)
from .rounds import (
    ALGORITHMS,
    FederatedResult,
    clients_per_round,
    compare_runs,
    dp_fedavg,
    fedavg,
    fedprox,
    history_row,
    rounds_to_reach,
)

__all__ = ["WEIGHTINGS", "partition_iid", "partition_dirichlet", "partition", "label_mix", "client_seed",
           "client_update", "aggregate", "FederatedResult", "fedavg", "fedprox", "dp_fedavg", "ALGORITHMS",
           "clip_update", "rounds_to_reach", "compare_runs", "mean_loss", "clients_per_round", "history_row"]
