"""Beyond one machine: the lab's FedAvg and Flower's SecAgg+ on Flower's Deployment Engine.

Taught in ``notebooks/05_federated_learning.ipynb`` and ``notebooks/06_secure_aggregation.ipynb``;
run by ``scripts/flower_deployment.py`` and ``make test-scale``. :mod:`.launcher` starts a SuperLink and
one SuperNode process per client on 127.0.0.1 and submits an app with ``flwr run``; :mod:`.fedavg`
deploys :mod:`ppml_lab.flower_sim`'s apps and compares the weights with the in-process FedAvg.
The app modules (``fedavg_app``) import Flower; this package imports it only when a run starts.
"""

from .fedavg import max_weight_difference, run_fedavg
from .launcher import LOOPBACK, DeploymentError, free_ports, run_app, write_app

__all__ = ["run_fedavg", "max_weight_difference", "run_app", "write_app", "free_ports", "LOOPBACK",
           "DeploymentError"]
