"""Lesson 05 (federated learning): bad inputs for ``federated``, ``leakage``, ``flower_sim`` and the exercise checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ppml_lab import federated as fl
from ppml_lab import flower_sim, leakage
from ppml_lab.datasets import ImageDataset
from ppml_lab.exercises import federated as ex
from ppml_lab.models import build_model

from . import INF, NAN, Bad, exempt, numbers

_rng = np.random.default_rng(0)
DATA = ImageDataset(_rng.random((20, 1, 28, 28)).astype(np.float32), np.arange(20) % 10)
EMPTY = ImageDataset(np.zeros((0, 1, 28, 28), np.float32), np.zeros(0, np.int64))
CLIENTS = [ImageDataset(DATA.images[:10], DATA.labels[:10]), ImageDataset(DATA.images[10:], DATA.labels[10:])]
LABELS = DATA.labels
MODEL = build_model("mlp", seed=0, hidden=8)
IMAGE = DATA.images[0]
UPDATE = leakage.single_step_update(MODEL, IMAGE, np.array([3]), lr=0.1)
NAN_UPDATE = [u.clone() for u in UPDATE]
NAN_UPDATE[0][0, 0] = float("nan")
STATES = [{"w": torch.ones(2)}, {"w": torch.zeros(2)}]
HISTORY = pd.DataFrame({"round": [0, 1], "accuracy": [0.1, 0.5]})
SMALL = dict(model="mlp", model_kwargs={"hidden": 8}, rounds=1, progress=False)


def _weights() -> list[list[float]]:
    return [p.detach().flatten().tolist() for p in MODEL.parameters()]


def _not_numbers(param: str, make) -> list[Bad]:  # noqa: ANN001
    """``numbers`` where None is a valid value (an optional number)."""
    return [case for case in numbers(param, make) if case.why != "None"]


def _runner(run, **fixed):  # noqa: ANN001, ANN202
    return lambda param: (lambda value: run(CLIENTS, DATA, **{**SMALL, **fixed, param: value}))


_fedavg, _fedprox = _runner(fl.fedavg), _runner(fl.fedprox)
_dp = _runner(fl.dp_fedavg, noise_multiplier=1.0)
_flower = lambda param: (lambda value: flower_sim.run_fedavg(**{"n_clients": 4, param: value}))  # noqa: E731
_server = lambda param: (lambda value: flower_sim.make_server_app(**{  # noqa: E731
    **dict(n_clients=4, alpha=None, partition_seed=0, model="mlp", model_kwargs={}, rounds=1, client_fraction=1.0,
           local_epochs=1, batch_size=8, lr=0.1, mu=0.0, seed=0, outcome={}, progress=False), param: value}))


def _common(make) -> list[Bad]:  # noqa: ANN001
    """What fedavg, fedprox and dp_fedavg all refuse."""
    return [*numbers("rounds", make("rounds")), *numbers("client_fraction", make("client_fraction")),
            Bad("client_fraction", lambda: make("client_fraction")(1.5), "above 1"),
            *numbers("local_epochs", make("local_epochs")), *numbers("batch_size", make("batch_size")),
            *numbers("lr", make("lr")), Bad("local_epochs", lambda: make("local_epochs")(1.5), "a float"),
            Bad("model", lambda: make("model")("resnet"), "unknown model"),
            Bad("seed", lambda: make("seed")(-1), "negative"),
            Bad("clients", lambda: make("clients")([]), "no clients"),
            Bad("clients[1]", lambda: make("clients")([CLIENTS[0], EMPTY]), "an empty client"),
            Bad("clients", lambda: make("clients")(DATA.images), "an array, not datasets"),
            Bad("test", lambda: make("test")(EMPTY), "empty test set")]


def _with_positional(run, **fixed):  # noqa: ANN001, ANN202
    """Like _runner, but ``clients`` and ``test`` can be replaced too."""
    def make(param):  # noqa: ANN001, ANN202
        def call(value):  # noqa: ANN001, ANN202
            arguments = {"clients": CLIENTS, "test": DATA, **SMALL, **fixed, param: value}
            return run(arguments.pop("clients"), arguments.pop("test"), **arguments)
        return call
    return make


TABLE = {
    # ---------------------------------------------------------------- federated
    "ppml_lab.federated.partition_iid": [
        *numbers("n_clients", lambda v: fl.partition_iid(LABELS, v)),
        Bad("n_clients", lambda: fl.partition_iid(LABELS, 21), "more clients than examples"),
        Bad("labels", lambda: fl.partition_iid([], 2), "empty"),
        Bad("labels", lambda: fl.partition_iid(np.zeros((4, 5), np.int64), 2), "2-D"),
        Bad("labels", lambda: fl.partition_iid([0.5, NAN], 2), "NaN labels"),
        Bad("labels", lambda: fl.partition_iid([0.5, 1.5], 2), "float labels"),
    ],
    "ppml_lab.federated.partition_dirichlet": [
        *numbers("alpha", lambda v: fl.partition_dirichlet(LABELS, 2, v)),
        *numbers("n_clients", lambda v: fl.partition_dirichlet(LABELS, v, 1.0)),
        Bad("min_size", lambda: fl.partition_dirichlet(LABELS, 2, 1.0, min_size=-1), "negative"),
        Bad("min_size", lambda: fl.partition_dirichlet(LABELS, 2, 1.0, min_size=NAN), "NaN"),
        Bad("min_size", lambda: fl.partition_dirichlet(LABELS, 2, 1.0, min_size=11), "more than n / clients"),
        Bad("max_tries", lambda: fl.partition_dirichlet(LABELS, 2, 1.0, max_tries=0), "zero"),
        Bad("labels", lambda: fl.partition_dirichlet([], 2, 1.0), "empty"),
    ],
    "ppml_lab.federated.partition": [
        *numbers("n_clients", lambda v: fl.partition(DATA, v)),
        *_not_numbers("alpha", lambda v: fl.partition(DATA, 2, alpha=v)),
        Bad("data", lambda: fl.partition(EMPTY, 2), "empty"),
        Bad("data", lambda: fl.partition(DATA.images, 2), "an array, not a dataset"),
        Bad("min_size", lambda: fl.partition(DATA, 2, alpha=1.0, min_size=-1), "negative"),
    ],
    "ppml_lab.federated.label_mix": [
        Bad("clients", lambda: fl.label_mix([]), "no clients"),
        Bad("clients", lambda: fl.label_mix(DATA), "a dataset, not a list"),
        Bad("clients[0]", lambda: fl.label_mix([EMPTY]), "an empty client"),
        *numbers("n_classes", lambda v: fl.label_mix(CLIENTS, v)),
    ],
    "ppml_lab.federated.client_seed": [
        Bad("seed", lambda: fl.client_seed(-1, 1, 0), "negative"),
        Bad("seed", lambda: fl.client_seed(NAN, 1, 0), "NaN"),
        Bad("round_number", lambda: fl.client_seed(0, -1, 0), "negative"),
        Bad("round_number", lambda: fl.client_seed(0, "1", 0), "a string"),
        Bad("client", lambda: fl.client_seed(0, 1, -2), "negative"),
        Bad("client", lambda: fl.client_seed(0, 1, 0.5), "a float"),
    ],
    "ppml_lab.federated.client_update": [
        *[Bad(c.param, c.call, c.why, state=_weights) for c in [
            *numbers("local_epochs", lambda v: fl.client_update(MODEL, DATA, local_epochs=v)),
            *numbers("batch_size", lambda v: fl.client_update(MODEL, DATA, batch_size=v)),
            *numbers("lr", lambda v: fl.client_update(MODEL, DATA, lr=v)),
            *numbers("lr", lambda v: fl.client_update(MODEL, DATA, lr=v, mu=0.1)),
            *numbers("mu", lambda v: fl.client_update(MODEL, DATA, mu=v), allow_zero=True),
            Bad("seed", lambda: fl.client_update(MODEL, DATA, seed=-1), "negative"),
            Bad("data", lambda: fl.client_update(MODEL, EMPTY), "empty"),
            Bad("data", lambda: fl.client_update(MODEL, DATA.images), "an array, not a dataset"),
            Bad("model", lambda: fl.client_update("mlp", DATA), "a name, not a model")]],
    ],
    "ppml_lab.federated.aggregate": [
        Bad("weighting", lambda: fl.aggregate(STATES, [1, 2], "median"), "unknown weighting"),
        Bad("states", lambda: fl.aggregate([], [], "size"), "empty"),
        Bad("states", lambda: fl.aggregate(STATES, [1], "size"), "lengths differ"),
        Bad("states", lambda: fl.aggregate("w", [1], "size"), "a string"),
        Bad("sizes", lambda: fl.aggregate(STATES, [1, NAN]), "NaN"),
        Bad("sizes", lambda: fl.aggregate(STATES, [1, INF]), "inf"),
        Bad("sizes", lambda: fl.aggregate(STATES, [1, 0]), "zero"),
        Bad("sizes", lambda: fl.aggregate(STATES, [1, -3]), "negative"),
        Bad("sizes", lambda: fl.aggregate(STATES, ["a", "b"]), "strings"),
    ],
    "ppml_lab.federated.clip_update": [
        *numbers("max_update_norm", lambda v: fl.clip_update({"w": torch.ones(3)}, v)),
        Bad("update", lambda: fl.clip_update([torch.ones(3)], 1.0), "a list, not a dict"),
        Bad("update", lambda: fl.clip_update({}, 1.0), "empty"),
        Bad("update", lambda: fl.clip_update({"w": torch.tensor([1.0, float("nan")])}, 1.0), "NaN"),
    ],
    "ppml_lab.federated.clients_per_round": [
        *numbers("client_fraction", lambda v: fl.clients_per_round(v, 10)),
        Bad("client_fraction", lambda: fl.clients_per_round(1.5, 10), "above 1"),
        Bad("n_clients", lambda: fl.clients_per_round(0.5, 0), "zero"),
        Bad("n_clients", lambda: fl.clients_per_round(0.5, 2.5), "not an integer"),
    ],
    "ppml_lab.federated.history_row": [
        Bad("round_number", lambda: fl.history_row(-1, MODEL, DATA, 0), "negative"),
        Bad("clients", lambda: fl.history_row(1, MODEL, DATA, NAN), "NaN"),
        Bad("test", lambda: fl.history_row(1, MODEL, EMPTY, 2), "empty test set"),
        Bad("model", lambda: fl.history_row(1, "mlp", DATA, 2), "a string"),
    ],
    "ppml_lab.federated.mean_loss": [
        Bad("data", lambda: fl.mean_loss(MODEL, EMPTY), "empty"),
        Bad("data", lambda: fl.mean_loss(MODEL, DATA.images), "an array, not a dataset"),
        Bad("model", lambda: fl.mean_loss(None, DATA), "None"),
    ],
    "ppml_lab.federated.FederatedResult": exempt("a result record the runs build from checked inputs"),
    "ppml_lab.federated.fedavg": [
        *_common(_with_positional(fl.fedavg)),
        Bad("weighting", lambda: _fedavg("weighting")("median"), "unknown weighting"),
    ],
    "ppml_lab.federated.fedprox": [
        *_common(_with_positional(fl.fedprox)),
        *numbers("mu", _fedprox("mu"), allow_zero=True),
    ],
    "ppml_lab.federated.dp_fedavg": [
        *_common(_with_positional(fl.dp_fedavg, noise_multiplier=1.0)),
        *numbers("noise_multiplier", _dp("noise_multiplier")),
        *numbers("max_update_norm", _dp("max_update_norm")),
        *_not_numbers("epsilon", lambda v: fl.dp_fedavg(CLIENTS, DATA, epsilon=v, **SMALL)),
        Bad("delta", lambda: _dp("delta")(0.0), "zero"),
        Bad("delta", lambda: _dp("delta")(1.0), "one"),
        Bad("delta", lambda: _dp("delta")(NAN), "NaN"),
        Bad("weighting", lambda: _dp("weighting")("size"), "size weighting breaks the sensitivity"),
        Bad("epsilon", lambda: fl.dp_fedavg(CLIENTS, DATA, noise_multiplier=1.0, epsilon=1.0, **SMALL), "both"),
    ],
    "ppml_lab.federated.rounds_to_reach": [
        *numbers("target_accuracy", lambda v: fl.rounds_to_reach(HISTORY, v), allow_zero=True),
        Bad("target_accuracy", lambda: fl.rounds_to_reach(HISTORY, 1.5), "above 1"),
        Bad("history", lambda: fl.rounds_to_reach(pd.DataFrame({"round": [0]}), 0.5), "no accuracy column"),
        Bad("history", lambda: fl.rounds_to_reach([0.1, 0.5], 0.5), "a list"),
    ],
    # ---------------------------------------------------------------- leakage
    "ppml_lab.leakage.single_step_update": [
        *numbers("lr", lambda v: leakage.single_step_update(MODEL, IMAGE, [3], lr=v)),
        Bad("images", lambda: leakage.single_step_update(MODEL, np.zeros(10), [3]), "wrong shape"),
        Bad("images", lambda: leakage.single_step_update(MODEL, np.full(784, NAN), [3]), "NaN pixels"),
        Bad("images", lambda: leakage.single_step_update(MODEL, [], []), "empty"),
        Bad("labels", lambda: leakage.single_step_update(MODEL, IMAGE, [-1]), "negative label"),
        Bad("labels", lambda: leakage.single_step_update(MODEL, IMAGE, [3, 4]), "more labels than images"),
    ],
    "ppml_lab.leakage.infer_label": [
        Bad("update", lambda: leakage.infer_label([]), "empty"),
        Bad("update", lambda: leakage.infer_label(np.zeros((10, 8))), "an array, not a list of tensors"),
        Bad("update", lambda: leakage.infer_label([torch.ones(3)]), "no weight matrix"),
        Bad("update", lambda: leakage.infer_label(NAN_UPDATE), "NaN"),
    ],
    "ppml_lab.leakage.Reconstruction": exempt("a result record built by reconstruct from checked inputs"),
    "ppml_lab.leakage.reconstruct": [
        *numbers("lr", lambda v: leakage.reconstruct(MODEL, UPDATE, lr=v)),
        *numbers("iterations", lambda v: leakage.reconstruct(MODEL, UPDATE, iterations=v)),
        *numbers("restarts", lambda v: leakage.reconstruct(MODEL, UPDATE, restarts=v)),
        Bad("distance", lambda: leakage.reconstruct(MODEL, UPDATE, distance="l1"), "unknown distance"),
        Bad("seed", lambda: leakage.reconstruct(MODEL, UPDATE, seed=0.5), "a float"),
        Bad("label", lambda: leakage.reconstruct(MODEL, UPDATE, label=-1), "negative"),
        Bad("update", lambda: leakage.reconstruct(MODEL, [torch.zeros(3)]), "wrong shapes"),
        Bad("update", lambda: leakage.reconstruct(MODEL, NAN_UPDATE), "NaN"),
        Bad("update", lambda: leakage.reconstruct(MODEL, "update"), "a string"),
    ],
    "ppml_lab.leakage.defend": [
        *numbers("max_update_norm", lambda v: leakage.defend(UPDATE, v, 0.1)),
        *numbers("noise_multiplier", lambda v: leakage.defend(UPDATE, 1.0, v), allow_zero=True),
        Bad("update", lambda: leakage.defend([], 1.0, 0.1), "empty"),
        Bad("update", lambda: leakage.defend(NAN_UPDATE, 1.0, 0.1), "NaN"),
    ],
    "ppml_lab.leakage.update_norm": [
        Bad("update", lambda: leakage.update_norm([]), "empty"),
        Bad("update", lambda: leakage.update_norm(NAN_UPDATE), "NaN"),
        Bad("update", lambda: leakage.update_norm(3.0), "a number"),
    ],
    "ppml_lab.leakage.noise_to_signal": [
        *numbers("max_update_norm", lambda v: leakage.noise_to_signal(UPDATE, v, 0.1)),
        *numbers("noise_multiplier", lambda v: leakage.noise_to_signal(UPDATE, 1.0, v), allow_zero=True),
        Bad("update", lambda: leakage.noise_to_signal([torch.zeros(3)], 1.0, 0.1), "all zero"),
    ],
    "ppml_lab.leakage.gaussian_epsilon": [
        *numbers("noise_multiplier", lambda v: leakage.gaussian_epsilon(v, 1e-5)),
        *numbers("delta", lambda v: leakage.gaussian_epsilon(1.0, v)),
        Bad("delta", lambda: leakage.gaussian_epsilon(1.0, 1.0), "one"),
    ],
    "ppml_lab.leakage.mse": [
        Bad("original", lambda: leakage.mse(np.zeros(10), IMAGE), "wrong shape"),
        Bad("reconstruction", lambda: leakage.mse(IMAGE, np.full(784, NAN)), "NaN"),
        Bad("original", lambda: leakage.mse([], IMAGE), "empty"),
        Bad("original", lambda: leakage.mse("image", IMAGE), "a string"),
    ],
    "ppml_lab.leakage.psnr": [
        Bad("original", lambda: leakage.psnr(np.zeros(10), IMAGE), "wrong shape"),
        Bad("reconstruction", lambda: leakage.psnr(IMAGE, np.full(784, INF)), "inf"),
    ],
    "ppml_lab.leakage.ssim": [
        Bad("original", lambda: leakage.ssim(np.zeros((10, 10)), IMAGE), "wrong shape"),
        Bad("reconstruction", lambda: leakage.ssim(IMAGE, np.full(784, NAN)), "NaN"),
        *[case for case in numbers("window", lambda v: leakage.ssim(IMAGE, IMAGE, window=v))],
        Bad("window", lambda: leakage.ssim(IMAGE, IMAGE, window=1), "below 3"),
    ],
    "ppml_lab.leakage.similarity": [
        Bad("original", lambda: leakage.similarity(np.zeros(10), IMAGE), "wrong shape"),
        Bad("reconstruction", lambda: leakage.similarity(IMAGE, None), "None"),
    ],
    # ---------------------------------------------------------------- flower_sim (refused before Flower or Ray start)
    "ppml_lab.flower_sim.make_client_app": exempt("takes no arguments"),
    "ppml_lab.flower_sim.make_server_app": [
        Bad("n_clients", lambda: _server("n_clients")(1), "one client"),
        *numbers("rounds", _server("rounds")),
        *numbers("client_fraction", _server("client_fraction")),
        *numbers("lr", _server("lr")),
        *numbers("mu", _server("mu"), allow_zero=True),
        *_not_numbers("alpha", _server("alpha")),
        Bad("outcome", lambda: _server("outcome")(None), "None"),
    ],
    "ppml_lab.flower_sim.run_fedavg": [
        *numbers("n_clients", _flower("n_clients")),
        Bad("n_clients", lambda: _flower("n_clients")(1), "one client"),
        *numbers("rounds", _flower("rounds")),
        *numbers("client_fraction", _flower("client_fraction")),
        *numbers("local_epochs", _flower("local_epochs")),
        *numbers("batch_size", _flower("batch_size")),
        *numbers("lr", _flower("lr")),
        *numbers("mu", _flower("mu"), allow_zero=True),
        *numbers("num_cpus", _flower("num_cpus")),
        *_not_numbers("alpha", _flower("alpha")),
        Bad("partition_seed", lambda: _flower("partition_seed")(-1), "negative"),
        Bad("seed", lambda: _flower("seed")(-1), "negative"),
    ],
    # ---------------------------------------------------------------- plots (lesson 05 block)
    "ppml_lab.plots.integer_ticks": [
        Bad("axis", lambda: __import__("ppml_lab.plots").plots.integer_ticks(None, axis="z"), "unknown axis"),
    ],
    # ---------------------------------------------------------------- exercise checks
    "ppml_lab.exercises.federated.check_weighted_average": [
        Bad("function", lambda: ex.check_weighted_average(42), "not callable"),
        Bad("function", lambda: ex.check_weighted_average("server_average"), "a name, not the function"),
    ],
    "ppml_lab.exercises.federated.check_label_from_update": [
        Bad("function", lambda: ex.check_label_from_update(42), "not callable"),
        *numbers("n_images", lambda v: ex.check_label_from_update(lambda update: 0, n_images=v)),
        Bad("n_images", lambda: ex.check_label_from_update(lambda update: 0, n_images=11), "more than 10 labels"),
    ],
    "ppml_lab.exercises.federated.check_local_fedprox": [
        Bad("function", lambda: ex.check_local_fedprox(42), "not callable"),
        Bad("seed", lambda: ex.check_local_fedprox(lambda *args: None, seed=-1), "negative"),
        Bad("seed", lambda: ex.check_local_fedprox(lambda *args: None, seed=0.5), "a float"),
    ],
    "ppml_lab.federated.compare_runs": [
        Bad("histories", lambda: fl.compare_runs([], 0.5), "a list"),
        Bad("histories", lambda: fl.compare_runs({}, 0.5), "empty"),
        *numbers("target_accuracy", lambda v: fl.compare_runs({("a", 0): pd.DataFrame({"accuracy": [0.5]})}, v),
                 allow_zero=True)[:4],
    ],
    "ppml_lab.flower_sim.mnist_split": exempt("no parameters (the lab's fixed split)"),
    "ppml_lab.flower_sim.client_datasets": [
        *numbers("n_clients", lambda v: flower_sim.client_datasets(v, None, 0))[:4],
        Bad("n_clients", lambda: flower_sim.client_datasets(0, None, 0), "zero"),
    ],
}
