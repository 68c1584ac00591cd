"""Beyond one machine: the lab's FedAvg and Flower's SecAgg+ on Flower's Deployment Engine.

Taught in ``notebooks/05_federated_learning.ipynb`` and ``notebooks/06_secure_aggregation.ipynb``;
run by ``scripts/flower_deployment.py`` and ``make test-scale``. :mod:`.launcher` starts a SuperLink and
one SuperNode process per client on 127.0.0.1 and submits an app with ``flwr run``; :mod:`.fedavg`
deploys :mod:`ppml_lab.flower_sim`'s apps and compares the weights with the in-process FedAvg;
:mod:`.secaggplus` runs Flower's SecAgg+ beside :mod:`ppml_lab.secure_aggregation` on the same updates.
The app modules (``fedavg_app``, ``secaggplus_app``) import Flower, in the processes Flower starts; this
package imports torch only when :func:`run_fedavg` is first used (the SecAgg+ clients never need it).
"""

from .launcher import LOOPBACK, DeploymentError, free_ports, run_app, write_app
from .secaggplus import FLOWER_QUANTIZATION, SecAggComparison, client_updates, compare_secure_aggregation

__all__ = ["write_fedavg_app", "run_fedavg", "max_weight_difference", "compare_secure_aggregation", "SecAggComparison",
           "client_updates", "FLOWER_QUANTIZATION", "run_app", "write_app", "free_ports", "LOOPBACK",
           "DeploymentError"]


def __getattr__(name: str) -> object:
    """The names from :mod:`.fedavg` load it (and torch) on first use."""
    if name in ("write_fedavg_app", "run_fedavg", "max_weight_difference"):
        from . import fedavg

        return getattr(fedavg, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
