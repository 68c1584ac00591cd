"""The same FedAvg on Flower's Simulation Engine agrees with the in-process one (needs the "fl" extra)."""

import sys

import pytest

from ppml_lab import federated as fl
from ppml_lab import flower_sim

SKIP_REASON = 'Flower is not installed: pip install -e ".[fl]" (flwr[simulation]) to run the Flower test'



def test_package_imports_without_flower_and_explains_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "flwr", None)  # as if flwr were not installed
    with pytest.raises(ImportError, match=r"\.\[fl\]"):
        flower_sim.make_client_app()


def test_rejects_bad_arguments_before_starting_ray():
    with pytest.raises(ValueError, match="n_clients must be an integer >= 2"):
        flower_sim.run_fedavg(1)
    with pytest.raises(ValueError, match=r"client_fraction must be in \(0, 1\]"):
        flower_sim.run_fedavg(4, client_fraction=0.0)
    for mu in (float("nan"), float("inf"), -0.1):  # the same check as federated.fedprox's
        with pytest.raises(ValueError, match="mu must be a finite number >= 0"):
            flower_sim.run_fedavg(4, mu=mu)


def test_flower_fedavg_matches_in_process_fedavg_within_two_points():
    pytest.importorskip("flwr", reason=SKIP_REASON)
    pytest.importorskip("ray", reason=SKIP_REASON)
    common = dict(model="mlp", model_kwargs={"hidden": 32}, rounds=3, client_fraction=1.0, local_epochs=1,
                  batch_size=32, lr=0.1, seed=0)
    flower = flower_sim.run_fedavg(5, alpha=None, partition_seed=0, num_cpus=1, progress=False, **common)
    train, test = flower_sim.mnist_split()
    local = fl.fedavg(fl.partition(train, 5, None, rng=0), test, progress=False, **common)
    assert flower.history["round"].tolist() == [0, 1, 2, 3]
    assert flower.accuracy > 0.7  # it learned
    assert abs(flower.accuracy - local.accuracy) <= 0.02
