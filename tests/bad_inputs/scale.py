"""Beyond one machine: bad inputs for ``flower_deployment`` (the Deployment Engine launcher, FedAvg across
processes and Flower's SecAgg+ beside the lab's), all refused before any process starts."""

from __future__ import annotations

import torch

from bad_inputs import Bad, exempt, numbers
from ppml_lab import flower_deployment as fd
from ppml_lab.models import build_model

APP = {"serverapp": "m:server", "clientapp": "m:client"}


def _fedavg(param):  # noqa: ANN001, ANN202
    return lambda value: fd.run_fedavg(**{"n_clients": 3, "rounds": 1, param: value})


def _compare(param):  # noqa: ANN001, ANN202
    return lambda value: fd.compare_secure_aggregation(**{"n_clients": 4, "threshold": 2, param: value})


def _write(tmp="/nonexistent-ppml-lab-dir", **kwargs):  # noqa: ANN001, ANN202 - refused before the directory is made
    return fd.write_app(**({"directory": tmp, "name": "app", **APP, "run_config": {"a": 1}} | kwargs))


def _run(**kwargs):  # noqa: ANN202
    return fd.run_app(**({"app_dir": "/nonexistent-ppml-lab-dir", "node_configs": [{"partition-id": 0}],
                          "result_path": "/nonexistent-ppml-lab-dir/r.json"} | kwargs))


TABLE = {
    "ppml_lab.flower_deployment.run_fedavg": [
        *numbers("n_clients", _fedavg("n_clients")),
        Bad("n_clients", lambda: _fedavg("n_clients")(1), "one client"),
        *numbers("rounds", _fedavg("rounds")),
        *numbers("client_fraction", _fedavg("client_fraction")),
        Bad("client_fraction", lambda: _fedavg("client_fraction")(1.5), "above 1"),
        *numbers("lr", _fedavg("lr")),
        *numbers("mu", _fedavg("mu"), allow_zero=True),
        *numbers("timeout", _fedavg("timeout")),
        Bad("seed", lambda: _fedavg("seed")(-1), "negative"),
        Bad("name", lambda: _fedavg("model")("resnet"), "unknown model"),
    ],
    "ppml_lab.flower_deployment.write_fedavg_app": [
        *numbers("n_clients", lambda v: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", v)),
        *numbers("rounds", lambda v: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", 3, rounds=v)),
        *numbers("lr", lambda v: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", 3, lr=v)),
        Bad("name", lambda: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", 3, model="resnet"), "unknown model"),
        Bad("result_path", lambda: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", 3, result_path=""), "empty"),
        Bad("result_path", lambda: fd.write_fedavg_app("/nonexistent-ppml-lab-dir", 3, result_path=None), "None"),
    ],
    "ppml_lab.flower_deployment.max_weight_difference": [
        Bad("first", lambda: fd.max_weight_difference(None, build_model("logistic")), "None"),
        Bad("second", lambda: fd.max_weight_difference(build_model("logistic"), "model"), "a string"),
        Bad("first and second", lambda: fd.max_weight_difference(build_model("logistic"), build_model("mlp")),
            "different architectures"),
        Bad("first and second", lambda: fd.max_weight_difference(torch.nn.Linear(2, 3), torch.nn.Linear(2, 4)),
            "different shapes"),
    ],
    "ppml_lab.flower_deployment.client_updates": [
        *numbers("n_clients", lambda v: fd.client_updates(v, 5)),
        Bad("n_clients", lambda: fd.client_updates(1, 5), "one client"),
        *numbers("size", lambda v: fd.client_updates(3, v)),
        Bad("seed", lambda: fd.client_updates(3, 5, -1), "negative"),
    ],
    "ppml_lab.flower_deployment.compare_secure_aggregation": [
        *numbers("n_clients", _compare("n_clients")),
        *numbers("threshold", _compare("threshold")),
        Bad("threshold", lambda: _compare("threshold")(4), "equal to n_clients (Flower needs fewer than num_shares)"),
        Bad("threshold", lambda: _compare("threshold")(1), "one share reveals the secret"),
        *numbers("size", _compare("size")),
        Bad("drop_before_masking", lambda: _compare("drop_before_masking")([7]), "not a client"),
        Bad("drop_before_masking", lambda: _compare("drop_before_masking")("1"), "a string"),
        Bad("drop_after_masking", lambda: _compare("drop_after_masking")([1]), "drops both before and after"),
        Bad("drop", lambda: fd.compare_secure_aggregation(4, threshold=3, drop_before_masking=[0],
                                                          drop_after_masking=[1]), "too many dropouts"),
        *numbers("timeout", _compare("timeout")),
        Bad("seed", lambda: _compare("seed")(-1), "negative"),
    ],
    "ppml_lab.flower_deployment.SecAggComparison": exempt(
        "a result record that compare_secure_aggregation builds from checked inputs"),
    "ppml_lab.flower_deployment.DeploymentError": exempt("an exception class"),
    "ppml_lab.flower_deployment.free_ports": [
        *numbers("count", fd.free_ports),
    ],
    "ppml_lab.flower_deployment.write_app": [
        Bad("name", lambda: _write(name=""), "empty"),
        Bad("serverapp", lambda: _write(serverapp="module_without_attribute"), "no ':attribute'"),
        Bad("clientapp", lambda: _write(clientapp=None), "None"),
        Bad("run_config", lambda: _write(run_config=[("a", 1)]), "a list"),
        Bad("run_config['a']", lambda: _write(run_config={"a": [1, 2]}), "a list value"),
        Bad("run_config['a']", lambda: _write(run_config={"a": None}), "None"),
        Bad("run_config['a']", lambda: _write(run_config={"a": float("nan")}), "NaN (not valid TOML for Flower)"),
    ],
    "ppml_lab.flower_deployment.run_app": [
        Bad("app_dir", lambda: _run(), "no pyproject.toml there"),
        Bad("node_configs", lambda: _run(node_configs=[]), "empty"),
        Bad("node_configs", lambda: _run(node_configs="partition-id=0"), "a string"),
        Bad("node_configs", lambda: _run(node_configs=[{"partition-id": [0]}]), "a list value"),
        *numbers("timeout", lambda v: _run(timeout=v)),
    ],
}
