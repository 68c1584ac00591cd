"""The lab on Flower's Deployment Engine: real SuperLink and SuperNode processes on 127.0.0.1.

The fast tests check the pieces without a federation (the app's pyproject passes Flower's own validator,
a failing federation stops every process it started). The two end-to-end tests start a federation each
(a SuperLink, one SuperNode per client, a process per message) and a third runs the Simulation Engine (Ray)
for the three-way weight comparison: they run in ``make test-scale``
(``PPML_LAB_TEST_SCALE=1``) and are skipped otherwise: each took 3.5 to 6 minutes on two cores shared with
other jobs (load 10), mostly Python and torch starting in a fresh process for every message.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from ppml_lab import federated as fl
from ppml_lab import flower_deployment as fd
from ppml_lab import flower_sim
from ppml_lab.flower_deployment import launcher

pytest.importorskip("flwr", reason='Flower is not installed: pip install -e ".[fl]"')
psutil = pytest.importorskip("psutil")

SCALE = pytest.mark.skipif(os.environ.get("PPML_LAB_TEST_SCALE") != "1",
                           reason="starts a Flower federation of processes: run by make test-scale")

#: FedAvg settings shared by the three engines: every client in every round, so no sampling differs.
COMMON = {"model": "logistic", "rounds": 2, "client_fraction": 1.0, "local_epochs": 1, "batch_size": 32, "lr": 0.1,
          "seed": 0}

#: Largest weight difference allowed between engines. Flower's FedAvg sums the clients' float32 arrays
#: in the order their replies arrive, the lab in client order: each of the 2 rounds reorders a 3-term
#: float32 sum (a few ulps: the weights are below 0.25, where an ulp is 1.5e-8), and one local epoch
#: carries the difference on. Measured: 3e-8. 1e-6 leaves room for that, and stays three orders of
#: magnitude below what a real disagreement moves (another seed: > 1e-3, checked below).
WEIGHT_TOLERANCE = 1e-6


def _our_processes() -> set[int]:
    """Flower processes that are descendants of this test process."""
    me = psutil.Process()
    return {child.pid for child in me.children(recursive=True)
            if any("flower" in part or "flwr" in part for part in child.cmdline())}


def test_written_app_passes_flowers_own_validation(tmp_path):
    from flwr.cli.config_utils import load_and_validate

    app = fd.write_app(tmp_path / "app", "ppml-lab-fedavg", "ppml_lab.flower_deployment.fedavg_app:server_app",
                       "ppml_lab.flower_deployment.fedavg_app:client_app",
                       {"rounds": 2, "lr": 0.1, "model": 'a "quoted" name', "iid": True})
    config, _ = load_and_validate(app / "pyproject.toml", check_module=True)
    assert config["tool"]["flwr"]["app"]["config"] == {"rounds": 2, "lr": 0.1, "model": 'a "quoted" name',
                                                      "iid": True}


def test_fedavg_app_names_the_components_lesson_05_shows(tmp_path):
    text = (fd.write_fedavg_app(tmp_path, n_clients=3, rounds=2) / "pyproject.toml").read_text()
    assert ('[tool.flwr.app.components]\nserverapp = "ppml_lab.flower_deployment.fedavg_app:server_app"\n'
            'clientapp = "ppml_lab.flower_deployment.fedavg_app:client_app"\n') in text
    assert "n-clients = 3\n" in text and "rounds = 2\n" in text


def test_free_ports_are_distinct_loopback_ports():
    ports = fd.free_ports(5)
    assert len(set(ports)) == 5 and all(1024 <= port < 65536 for port in ports)


def test_client_updates_are_seeded_rows_in_the_encodable_range():
    updates = fd.client_updates(4, 50, seed=3)
    assert updates.shape == (4, 50) and np.abs(updates).max() <= 1.0
    np.testing.assert_array_equal(updates, fd.client_updates(4, 50, seed=3))


def test_max_weight_difference_reads_every_parameter():
    from ppml_lab.models import build_model

    first, second = build_model("logistic", seed=0), build_model("logistic", seed=0)
    assert fd.max_weight_difference(first, second) == 0.0
    with __import__("torch").no_grad():
        second[1].bias[3] += 0.5
    assert fd.max_weight_difference(first, second) == pytest.approx(0.5)


def test_process_tree_is_stopped_even_what_it_detached(tmp_path):
    """_Processes.stop ends the started process and its two children, one of them in a session of its own."""
    script = ("import subprocess, sys, time; "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], start_new_session=True); "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); time.sleep(120)")
    processes = launcher._Processes(tmp_path, dict(os.environ))
    parent = processes.start("tree", [sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while len(psutil.Process(parent.pid).children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    family = [psutil.Process(parent.pid), *psutil.Process(parent.pid).children(recursive=True)]
    assert len(family) == 3
    processes.stop(grace=5)
    assert not [member.pid for member in family if member.is_running() and member.status() != psutil.STATUS_ZOMBIE]


def test_a_federation_that_cannot_finish_times_out_and_leaves_no_process(tmp_path):
    app = fd.write_app(tmp_path / "app", "never-runs", "m:server", "m:client", {"a": 1})
    with pytest.raises(fd.DeploymentError, match="timed out|flwr run"):
        fd.run_app(app, [{"partition-id": 0, "num-partitions": 1}], tmp_path / "never.json", timeout=1.0)
    assert not _our_processes()


def _in_process(seed: int = 0):  # noqa: ANN202
    train, test = flower_sim.mnist_split()
    return fl.fedavg(fl.partition(train, 3, None, rng=0), test, progress=False, **{**COMMON, "seed": seed})


@SCALE
def test_fedavg_across_processes_has_the_in_process_weights():
    deployed = fd.run_fedavg(3, partition_seed=0, timeout=480, **COMMON)
    assert not _our_processes(), "a Flower process outlived the run"
    local = _in_process()
    assert deployed.history["round"].tolist() == [0, 1, 2] and deployed.history["clients"].tolist() == [0, 3, 3]
    assert fd.max_weight_difference(deployed.model, local.model) <= WEIGHT_TOLERANCE
    assert deployed.accuracy == pytest.approx(local.accuracy, abs=0.002)  # at most one of 1,000 test images
    assert fd.max_weight_difference(_in_process(seed=1).model, local.model) > 1e-3  # the tolerance separates


@SCALE
def test_the_simulation_engine_has_the_same_weights():
    """Deployment = in-process (above) and simulation = in-process (here): the three engines agree."""
    simulated = flower_sim.run_fedavg(3, partition_seed=0, num_cpus=1, progress=False, **COMMON)
    assert fd.max_weight_difference(simulated.model, _in_process().model) <= WEIGHT_TOLERANCE


@SCALE
def test_flowers_secaggplus_and_the_labs_recover_the_same_sum_with_dropouts():
    comparison = fd.compare_secure_aggregation(4, threshold=2, size=300, drop_before_masking=[1],
                                               drop_after_masking=[2], timeout=480)
    assert not _our_processes(), "a Flower process outlived the run"
    assert comparison.included == [0, 2, 3]  # the late client's update counts, the early one's does not
    assert comparison.lab_error <= comparison.lab_bound
    assert comparison.flower_error <= comparison.flower_bound
    assert comparison.difference <= comparison.lab_bound + comparison.flower_bound
    costs = comparison.costs
    assert (costs["bytes sent per client"] > 0).all() and (costs["bytes received per client"] > 0).all()
