"""Bad inputs for lesson 02's modules: dpsgd, features, models, training, sweep (and its ray_runtime),
exercises.dpsgd, attacks.canary."""

from __future__ import annotations

import numpy as np
import torch

from bad_inputs import INF, NAN, Bad, exempt, numbers
from ppml_lab import accounting, datasets, dpsgd, features, models, ray_runtime, sweep, training
from ppml_lab.attacks import canary
from ppml_lab.datasets import ImageDataset
from ppml_lab.exercises import dpsgd as exercises

_rng = np.random.default_rng(0)
DATA = ImageDataset(_rng.random((20, 1, 28, 28), dtype=np.float32), np.arange(20) % 10)
EMPTY = ImageDataset(np.zeros((0, 1, 28, 28), dtype=np.float32), np.zeros(0, dtype=np.int64))
X, Y = torch.from_numpy(DATA.images[:4]), torch.from_numpy(DATA.labels[:4])
GRADS = {"w": torch.ones(4, 3)}


def _numbers(param, make, **kwargs):
    """:func:`numbers` without None, for a parameter where None is meaningful (the non-private baseline)."""
    return [case for case in numbers(param, make, **kwargs) if case.why != "None"]


def _model():
    return models.build_model("logistic", seed=0)


def _train(**kwargs):
    arguments = {"epsilon": 1.0, "epochs": 1, "batch_size": 4}
    arguments.update(kwargs)
    model = arguments.pop("model", None) or _model()
    train = arguments.pop("train", DATA)
    test = arguments.pop("test", DATA)
    return dpsgd.train_dpsgd(model, train, test, **arguments)


def _weights(model):
    return [p.detach().clone().numpy().tolist() for p in model.parameters()]


_MODEL = _model()

TABLE = {
    "ppml_lab.dpsgd.DPSGDResult": exempt("a plain record of one training run's outputs"),
    "ppml_lab.accounting.noise_multiplier_for": [
        *numbers("epsilon", lambda v: dpsgd.noise_multiplier_for(v, 1e-5, 0.1, 3)),
        *numbers("delta", lambda v: dpsgd.noise_multiplier_for(1.0, v, 0.1, 3)),
        *numbers("sample_rate", lambda v: dpsgd.noise_multiplier_for(1.0, 1e-5, v, 3)),
        Bad("sample_rate", lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 1.5, 5), "above 1"),
        Bad("epochs", lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 0.1, 0), "zero"),
        Bad("epochs", lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 0.1, 2.5), "not an integer"),
        Bad("accountant", lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 0.1, 3, "gdp"), "unknown"),
        Bad("steps", lambda: accounting.noise_multiplier_for(1.0, 1e-5, 0.1, steps=0), "zero"),
        Bad("epochs", lambda: accounting.noise_multiplier_for(1.0, 1e-5, 0.1, 3, steps=30), "both epochs and steps"),
    ],
    "ppml_lab.accounting.subsampled_gaussian_rdp": [
        *numbers("noise_multiplier", lambda v: accounting.subsampled_gaussian_rdp(v, 0.1), allow_zero=True),
        *numbers("sample_rate", lambda v: accounting.subsampled_gaussian_rdp(1.0, v)),
        Bad("orders", lambda: accounting.subsampled_gaussian_rdp(1.0, 0.1, np.array([0.5, 2.0])), "an order <= 1"),
    ],
    "ppml_lab.accounting.check_orders": [
        Bad("orders", lambda: accounting.check_orders(np.array([1.0, 2.0])), "order 1"),
        Bad("orders", lambda: accounting.check_orders(np.array([[2.0]])), "2-D"),
        Bad("orders", lambda: accounting.check_orders(np.array([2.0, NAN])), "NaN"),
        Bad("orders", lambda: accounting.check_orders("2"), "a string"),
    ],
    "ppml_lab.datasets.check_dataset": [
        Bad("train", lambda: datasets.check_dataset(np.zeros((3, 1, 28, 28)), "train"), "an array"),
        Bad("train", lambda: datasets.check_dataset(EMPTY, "train"), "empty"),
    ],
    "ppml_lab.models.check_module": [Bad("model", lambda: models.check_module("mlp"), "a string"),
                                     Bad("student", lambda: models.check_module(None, "student"), "None")],
    "ppml_lab.training.fit": [
        Bad("model", lambda: training.fit("mlp", [], torch.optim.SGD(_model().parameters(), lr=0.1), 1), "a string"),
        Bad("loader", lambda: training.fit(_MODEL, 3, torch.optim.SGD(_MODEL.parameters(), lr=0.1), 1), "an int"),
        Bad("optimizer", lambda: training.fit(_MODEL, [], "sgd", 1), "a string"),
        Bad("epochs", lambda: training.fit(_MODEL, [], torch.optim.SGD(_MODEL.parameters(), lr=0.1), 0), "zero"),
        Bad("device", lambda: training.fit(_MODEL, [], torch.optim.SGD(_MODEL.parameters(), lr=0.1), 1,
                                           device="gpu7"), "not a device"),
        Bad("after_backward", lambda: training.fit(_MODEL, [], torch.optim.SGD(_MODEL.parameters(), lr=0.1), 1,
                                                       after_backward=3), "not callable"),
        Bad("epochs", lambda m=_MODEL: training.fit(m, training.make_loader(DATA, 5, True), torch.optim.SGD(
            m.parameters(), lr=0.1), -1), "negative, weights untouched", state=lambda m=_MODEL: _weights(m)),
    ],
    "ppml_lab.accounting.epsilon_spent": [
        *numbers("noise_multiplier", lambda v: dpsgd.epsilon_spent(v, 0.1, 10, 1e-5), allow_zero=True),
        *numbers("sample_rate", lambda v: dpsgd.epsilon_spent(1.0, v, 10, 1e-5)),
        Bad("sample_rate", lambda: dpsgd.epsilon_spent(1.0, 2.0, 10, 1e-5), "above 1"),
        Bad("steps", lambda: dpsgd.epsilon_spent(1.0, 0.01, -3, 1e-5), "negative"),
        Bad("steps", lambda: dpsgd.epsilon_spent(1.0, 0.01, NAN, 1e-5), "NaN"),
        *numbers("delta", lambda v: dpsgd.epsilon_spent(1.0, 0.1, 10, v)),
        Bad("accountant", lambda: dpsgd.epsilon_spent(1.0, 0.1, 10, 1e-5, ["prv"]), "a list"),
    ],
    "ppml_lab.dpsgd.choose_grad_sample_mode": [
        Bad("model", lambda: dpsgd.choose_grad_sample_mode("mlp"), "a model's name, not a model"),
        Bad("model", lambda: dpsgd.choose_grad_sample_mode(None), "None"),
    ],
    "ppml_lab.ray_runtime.RayRuntime": exempt("a plain record of a Ray connection (address, who started it)"),
    "ppml_lab.ray_runtime.shutdown_ray": exempt("no parameters"),
    "ppml_lab.ray_runtime.check_address": [
        Bad("address", lambda: ray_runtime.check_address("localhost"), "no port"),
        Bad("address", lambda: ray_runtime.check_address("http://head:6379"), "not ray://"),
        Bad("address", lambda: ray_runtime.check_address("ray://head:0"), "port 0"),
        Bad("address", lambda: ray_runtime.check_address("head:70000"), "port above 65535"),
        Bad("address", lambda: ray_runtime.check_address(6379), "a number"),
    ],
    "ppml_lab.ray_runtime.check_reachable": [
        Bad("address", lambda: ray_runtime.check_reachable(None), "None"),
        Bad("address", lambda: ray_runtime.check_reachable("head"), "no port"),
        *numbers("timeout", lambda v: ray_runtime.check_reachable("127.0.0.1:1", timeout=v)),
    ],
    "ppml_lab.ray_runtime.start_ray": [
        Bad("address", lambda: ray_runtime.start_ray("cluster"), "no port"),
        Bad("num_cpus", lambda: ray_runtime.start_ray(num_cpus=0), "zero"),
        Bad("num_cpus", lambda: ray_runtime.start_ray(num_cpus=1.5), "not an integer"),
    ],
    "ppml_lab.dpsgd.validate_model": [
        Bad("model", lambda: dpsgd.validate_model("cnn"), "a string"),
        Bad("model", lambda: dpsgd.validate_model(None), "None"),
    ],
    "ppml_lab.dpsgd.train_dpsgd": [
        Bad("model", lambda: _train(model="logistic"), "a string"),
        Bad("train", lambda: _train(train=EMPTY), "empty"),
        Bad("test", lambda: _train(test=(DATA.images, DATA.labels)), "a tuple"),
        *_numbers("epsilon", lambda v: _train(epsilon=v)),
        *numbers("delta", lambda v: _train(delta=v)),
        *numbers("max_grad_norm", lambda v: _train(max_grad_norm=v)),
        *numbers("lr", lambda v: _train(lr=v)),
        Bad("epochs", lambda: _train(epochs=0), "zero"),
        Bad("batch_size", lambda: _train(batch_size=21), "larger than the data"),
        Bad("batch_size", lambda: _train(batch_size=INF), "inf"),
        Bad("seed", lambda: _train(seed=-1), "negative"),
        Bad("noise_multiplier", lambda: _train(noise_multiplier=NAN), "NaN"),
        Bad("noise_multiplier", lambda: _train(noise_multiplier=-1.0), "negative"),
        Bad("accountant", lambda: _train(accountant="moments"), "unknown"),
        Bad("grad_sample_mode", lambda: _train(grad_sample_mode="vmap"), "unknown"),
        Bad("device", lambda: _train(device=3.5), "a float"),
        Bad("model", lambda: _train(model=models.cnn_with_batchnorm()), "BatchNorm layers"),
        Bad("lr", lambda m=_MODEL: _train(model=m, lr=NAN), "NaN, weights untouched",
            state=lambda m=_MODEL: _weights(m)),
    ],
    "ppml_lab.dpsgd.per_sample_gradients": [
        Bad("model", lambda: dpsgd.per_sample_gradients("model", X, Y), "a string"),
        Bad("x", lambda: dpsgd.per_sample_gradients(_model(), DATA.images[:4], Y), "a numpy array"),
        Bad("x", lambda: dpsgd.per_sample_gradients(_model(), X, Y[:3]), "length mismatch"),
        Bad("x", lambda: dpsgd.per_sample_gradients(_model(), X[:0], Y[:0]), "empty"),
        Bad("x", lambda: dpsgd.per_sample_gradients(_model(), X * NAN, Y), "NaN"),
    ],
    "ppml_lab.dpsgd.clip_per_sample": [
        *numbers("max_grad_norm", lambda v: dpsgd.clip_per_sample(GRADS, v)),
        Bad("grads", lambda: dpsgd.clip_per_sample({}, 1.0), "empty"),
        Bad("grads", lambda: dpsgd.clip_per_sample([torch.ones(2)], 1.0), "a list"),
        Bad("grads", lambda: dpsgd.clip_per_sample({"w": torch.full((2, 2), NAN)}, 1.0), "NaN"),
    ],
    "ppml_lab.dpsgd.add_gaussian_noise": [
        *numbers("noise_multiplier", lambda v: dpsgd.add_gaussian_noise(GRADS, v, 1.0), allow_zero=True),
        *numbers("max_grad_norm", lambda v: dpsgd.add_gaussian_noise(GRADS, 1.0, v)),
        Bad("summed", lambda: dpsgd.add_gaussian_noise({}, 1.0, 1.0), "empty"),
        Bad("generator", lambda: dpsgd.add_gaussian_noise(GRADS, 1.0, 1.0, generator=7), "an int"),
    ],
    "ppml_lab.dpsgd.privatized_gradient": [
        *numbers("max_grad_norm", lambda v: dpsgd.privatized_gradient(_model(), X, Y, max_grad_norm=v,
                                                                      noise_multiplier=1.0)),
        *numbers("noise_multiplier", lambda v: dpsgd.privatized_gradient(_model(), X, Y, max_grad_norm=1.0,
                                                                         noise_multiplier=v), allow_zero=True),
        Bad("expected_batch_size", lambda: dpsgd.privatized_gradient(_model(), X, Y, max_grad_norm=1.0,
                                                                     noise_multiplier=1.0, expected_batch_size=0),
            "zero"),
        Bad("x", lambda: dpsgd.privatized_gradient(_model(), X, Y[:2], max_grad_norm=1.0, noise_multiplier=1.0),
            "length mismatch"),
    ],
    "ppml_lab.dpsgd.per_sample_gradient_norms": [
        Bad("model", lambda: dpsgd.per_sample_gradient_norms(None, X, Y), "None"),
        Bad("y", lambda: dpsgd.per_sample_gradient_norms(_model(), X, [0, 1, 2, 3]), "a list"),
    ],
    "ppml_lab.dpsgd.diffprivlib_accuracy": [
        *numbers("epsilon", lambda v: dpsgd.diffprivlib_accuracy(DATA, DATA, epsilon=v, data_norm=28.0)),
        *numbers("data_norm", lambda v: dpsgd.diffprivlib_accuracy(DATA, DATA, epsilon=1.0, data_norm=v)),
        *numbers("inverse_regularization", lambda v: dpsgd.diffprivlib_accuracy(
            DATA, DATA, epsilon=1.0, data_norm=28.0, inverse_regularization=v)),
        Bad("seed", lambda: dpsgd.diffprivlib_accuracy(DATA, DATA, epsilon=1.0, data_norm=28.0, seed=-2), "negative"),
        Bad("train", lambda: dpsgd.diffprivlib_accuracy(EMPTY, DATA, epsilon=1.0, data_norm=28.0), "empty"),
        Bad("test", lambda: dpsgd.diffprivlib_accuracy(DATA, None, epsilon=1.0, data_norm=28.0), "None"),
    ],
    "ppml_lab.dpsgd.tune_diffprivlib": [
        *numbers("epsilon", lambda v: dpsgd.tune_diffprivlib(DATA, DATA, epsilon=v, data_norms=[28.0])),
        Bad("data_norms", lambda: dpsgd.tune_diffprivlib(DATA, DATA, epsilon=1.0, data_norms=[]), "empty"),
        Bad("data_norms", lambda: dpsgd.tune_diffprivlib(DATA, DATA, epsilon=1.0, data_norms=28.0), "a number"),
        Bad("data_norms", lambda: dpsgd.tune_diffprivlib(DATA, DATA, epsilon=1.0, data_norms=[28.0, NAN]), "NaN"),
        Bad("inverse_regularizations", lambda: dpsgd.tune_diffprivlib(
            DATA, DATA, epsilon=1.0, data_norms=[28.0], inverse_regularizations=[-1.0]), "negative"),
        Bad("validation", lambda: dpsgd.tune_diffprivlib(DATA, EMPTY, epsilon=1.0, data_norms=[28.0]), "empty"),
        Bad("seed", lambda: dpsgd.tune_diffprivlib(DATA, DATA, epsilon=1.0, data_norms=[28.0], seed=1.5), "a float"),
    ],
    "ppml_lab.features.hog_features": [
        Bad("images", lambda: features.hog_features(np.full((2, 28, 28), NAN)), "NaN"),
        Bad("images", lambda: features.hog_features(np.zeros((0, 28, 28))), "empty"),
        Bad("images", lambda: features.hog_features(np.zeros((2, 784))), "flattened"),
        Bad("images", lambda: features.hog_features(np.zeros((2, 3, 28, 28))), "three channels"),
        Bad("images", lambda: features.hog_features("images"), "a string"),
        Bad("cells", lambda: features.hog_features(DATA.images, cells=0), "zero"),
        Bad("cells", lambda: features.hog_features(DATA.images, cells=5), "does not divide 28"),
        Bad("cells", lambda: features.hog_features(DATA.images, cells=2.0), "a float"),
        Bad("orientations", lambda: features.hog_features(DATA.images, orientations=1), "one"),
    ],
    "ppml_lab.features.featurize": [
        Bad("data", lambda: features.featurize(DATA.images), "an array"),
        Bad("data", lambda: features.featurize(EMPTY), "empty"),
    ],
    "ppml_lab.models.logistic_regression": [
        Bad("n_features", lambda: models.logistic_regression(0), "zero"),
        Bad("n_features", lambda: models.logistic_regression(NAN), "NaN"),
        Bad("n_classes", lambda: models.logistic_regression(784, 1), "one class"),
    ],
    "ppml_lab.models.mlp": [
        Bad("hidden", lambda: models.mlp(hidden=0), "zero"),
        Bad("hidden", lambda: models.mlp(hidden=12.5), "a float"),
        Bad("n_features", lambda: models.mlp(n_features=-3), "negative"),
    ],
    "ppml_lab.models.small_cnn": [
        Bad("channels", lambda: models.small_cnn(channels=6), "not a multiple of 4"),
        Bad("channels", lambda: models.small_cnn(channels=0), "zero"),
        Bad("n_classes", lambda: models.small_cnn(n_classes=INF), "inf"),
    ],
    "ppml_lab.models.cnn_with_batchnorm": [
        Bad("channels", lambda: models.cnn_with_batchnorm(channels=-4), "negative"),
        Bad("n_classes", lambda: models.cnn_with_batchnorm(n_classes="10"), "a string"),
    ],
    "ppml_lab.models.build_model": [
        Bad("name", lambda: models.build_model("resnet"), "unknown"),
        Bad("name", lambda: models.build_model(["mlp"]), "a list"),
        Bad("seed", lambda: models.build_model("mlp", seed=-1), "negative"),
        Bad("seed", lambda: models.build_model("mlp", seed=NAN), "NaN"),
        Bad("hidden", lambda: models.build_model("mlp", hidden=0), "zero hidden units"),
    ],
    "ppml_lab.training.to_tensor_dataset": [
        Bad("data", lambda: training.to_tensor_dataset(EMPTY), "empty"),
        Bad("data", lambda: training.to_tensor_dataset(DATA.images), "an array"),
    ],
    "ppml_lab.training.make_loader": [
        *numbers("batch_size", lambda v: training.make_loader(DATA, v, True)),
        Bad("shuffle", lambda: training.make_loader(DATA, 4, "yes"), "a string"),
        Bad("seed", lambda: training.make_loader(DATA, 4, True, seed=-1), "negative"),
        Bad("data", lambda: training.make_loader(None, 4, True), "None"),
    ],
    "ppml_lab.training.train_classifier": [
        Bad("model", lambda: training.train_classifier("mlp", DATA), "a string"),
        Bad("train", lambda: training.train_classifier(_model(), EMPTY), "empty"),
        *numbers("lr", lambda v: training.train_classifier(_model(), DATA, lr=v)),
        *numbers("momentum", lambda v: training.train_classifier(_model(), DATA, momentum=v), allow_zero=True),
        *numbers("weight_decay", lambda v: training.train_classifier(_model(), DATA, weight_decay=v), allow_zero=True),
        Bad("epochs", lambda: training.train_classifier(_model(), DATA, epochs=0), "zero"),
        Bad("batch_size", lambda: training.train_classifier(_model(), DATA, batch_size=NAN), "NaN"),
        Bad("seed", lambda: training.train_classifier(_model(), DATA, seed=-5), "negative"),
        Bad("lr", lambda m=_MODEL: training.train_classifier(m, DATA, lr=-1.0), "negative, weights untouched",
            state=lambda m=_MODEL: _weights(m)),
    ],
    "ppml_lab.training.predict_proba": [
        Bad("model", lambda: training.predict_proba(None, DATA.images), "None"),
        Bad("images", lambda: training.predict_proba(_model(), np.full((2, 1, 28, 28), NAN)), "NaN"),
        Bad("images", lambda: training.predict_proba(_model(), np.zeros((0, 1, 28, 28))), "empty"),
        Bad("batch_size", lambda: training.predict_proba(_model(), DATA.images, batch_size=0), "zero"),
    ],
    "ppml_lab.training.evaluate": [
        Bad("data", lambda: training.evaluate(_model(), EMPTY), "empty"),
        Bad("model", lambda: training.evaluate("model", DATA), "a string"),
    ],
    "ppml_lab.training.TrainHistory": exempt("a plain record of per-epoch losses"),
    "ppml_lab.sweep.SweepConfig": [
        Bad("dataset", lambda: sweep.SweepConfig(dataset="cifar"), "unknown"),
        Bad("features", lambda: sweep.SweepConfig(features="sift"), "unknown"),
        Bad("model", lambda: sweep.SweepConfig(model="cnn_bn"), "BatchNorm"),
        Bad("epochs", lambda: sweep.SweepConfig(epochs=0), "zero"),
        Bad("batch_size", lambda: sweep.SweepConfig(batch_size=NAN), "NaN"),
        *numbers("lr", lambda v: sweep.SweepConfig(lr=v)),
        *numbers("delta", lambda v: sweep.SweepConfig(delta=v), allow_zero=True),
        Bad("accountant", lambda: sweep.SweepConfig(accountant="gdp"), "unknown"),
        Bad("holdout", lambda: sweep.SweepConfig(holdout="train"), "unknown"),
        Bad("grad_sample_mode", lambda: sweep.SweepConfig(grad_sample_mode="fast"), "unknown"),
    ],
    "ppml_lab.sweep.data_split": [
        Bad("dataset", lambda: sweep.data_split("cifar"), "unknown"),
        Bad("features", lambda: sweep.data_split(features=None), "None"),
        Bad("holdout", lambda: sweep.data_split(holdout="both"), "unknown"),
    ],
    "ppml_lab.sweep.sweep_cell": [
        *_numbers("epsilon", lambda v: sweep.sweep_cell(v, 1.0)),
        *_numbers("clip", lambda v: sweep.sweep_cell(1.0, v)),
        Bad("clip", lambda: sweep.sweep_cell(1.0, None), "None beside an epsilon"),
        Bad("seed", lambda: sweep.sweep_cell(1.0, 1.0, seed=-1), "negative"),
        Bad("config", lambda: sweep.sweep_cell(1.0, 1.0, config={"lr": 2.0}), "a dict"),
    ],
    "ppml_lab.sweep.is_cached": [
        Bad("epsilon", lambda: sweep.is_cached(NAN, 1.0), "NaN"),
        Bad("clip", lambda: sweep.is_cached(1.0, -1.0), "negative"),
        Bad("config", lambda: sweep.is_cached(1.0, 1.0, 0, "pixels"), "a string"),
    ],
    "ppml_lab.sweep.run_sweep": [
        *numbers("epsilon", lambda v: sweep.run_sweep([v], [1.0], progress=False)),
        *numbers("clip", lambda v: sweep.run_sweep([1.0], [v], progress=False)),
        Bad("seed", lambda: sweep.run_sweep([1.0], [1.0], seeds=[-1], progress=False), "negative"),
        Bad("epsilons", lambda: sweep.run_sweep([], [1.0], progress=False), "empty"),
        Bad("epsilons", lambda: sweep.run_sweep(1.0, [1.0], progress=False), "a number, not a list"),
        Bad("n_jobs", lambda: sweep.run_sweep([1.0], [1.0], n_jobs=0, progress=False), "zero"),
        Bad("config", lambda: sweep.run_sweep([1.0], [1.0], config=None, progress=False), "None"),
        Bad("backend", lambda: sweep.run_sweep([1.0], [1.0], backend="dask", progress=False), "unknown"),
        Bad("address", lambda: sweep.run_sweep([1.0], [1.0], address="auto", progress=False), "without Ray"),
        Bad("address", lambda: sweep.run_sweep([1.0], [1.0], backend="ray", address="head", progress=False),
            "no port"),
        Bad("address", lambda: sweep.run_sweep([1.0], [1.0], backend="ray", address="127.0.0.1:1",
                                               progress=False), "nothing listens there"),
    ],
    "ppml_lab.sweep.summarize": [
        Bad("results", lambda: sweep.summarize([{"accuracy": 0.9}]), "a list"),
        Bad("results", lambda: sweep.summarize(__import__("pandas").DataFrame({"accuracy": [0.9]})),
            "missing columns"),
    ],
    "ppml_lab.exercises.dpsgd.check_clip_per_example": [
        Bad("clip", lambda: exercises.check_clip_per_example(1.0), "a number, not a function"),
    ],
    "ppml_lab.exercises.dpsgd.check_noise_on_average": [
        Bad("noise_std", lambda: exercises.check_noise_on_average(None), "None"),
    ],
    "ppml_lab.exercises.dpsgd.check_sigma_for": [
        Bad("sigma_for", lambda: exercises.check_sigma_for(None), "None"),
        Bad("sigma_for", lambda: exercises.check_sigma_for(2.148), "a number (the result, not the function)"),
    ],
    "ppml_lab.exercises.dpsgd.check_fixed_model": [
        Bad("make_model", lambda: exercises.check_fixed_model(models.small_cnn()), "a model, not a function"),
    ],
    "ppml_lab.attacks.canary.make_canaries": [
        Bad("count", lambda: canary.make_canaries(0), "zero"),
        Bad("count", lambda: canary.make_canaries(NAN), "NaN"),
        Bad("n_classes", lambda: canary.make_canaries(3, n_classes=1), "one class"),
        Bad("shape", lambda: canary.make_canaries(3, shape=(1, -28, 28)), "negative size"),
        Bad("seed", lambda: canary.make_canaries(3, seed=-1), "negative"),
    ],
    "ppml_lab.attacks.canary.plant": [
        Bad("train", lambda: canary.plant(EMPTY, DATA), "empty"),
        Bad("canaries", lambda: canary.plant(DATA, DATA.images), "an array"),
        Bad("canaries", lambda: canary.plant(DATA, canary.make_canaries(2, shape=(1, 14, 14))), "wrong shape"),
    ],
    "ppml_lab.attacks.canary.exposure": [
        Bad("canary_losses", lambda: canary.exposure([NAN], [[1.0, 2.0]]), "NaN"),
        Bad("canary_losses", lambda: canary.exposure([], np.zeros((0, 2))), "empty"),
        Bad("reference_losses", lambda: canary.exposure([1.0], [1.0, 2.0]), "one-dimensional"),
        Bad("reference_losses", lambda: canary.exposure([1.0, 2.0], [[1.0, 2.0]]), "one row for two canaries"),
        Bad("reference_losses", lambda: canary.exposure([1.0], [[INF, 2.0]]), "inf"),
    ],
    "ppml_lab.attacks.canary.canary_exposure": [
        Bad("model", lambda: canary.canary_exposure("model", DATA, DATA.images), "a string"),
        Bad("canaries", lambda: canary.canary_exposure(_model(), EMPTY, DATA.images), "empty"),
        Bad("references", lambda: canary.canary_exposure(_model(), DATA, np.zeros((3, 784))), "wrong shape"),
        Bad("references", lambda: canary.canary_exposure(_model(), DATA, np.full((3, 1, 28, 28), NAN)), "NaN"),
    ],
    "ppml_lab.attacks.canary.run_canary_experiment": [
        *_numbers("epsilon", lambda v: canary.run_canary_experiment([v])),
        Bad("epsilons", lambda: canary.run_canary_experiment([]), "empty"),
        Bad("seeds", lambda: canary.run_canary_experiment([1.0], seeds=[-1]), "negative"),
        Bad("n_canaries", lambda: canary.run_canary_experiment([1.0], n_canaries=0), "zero"),
        Bad("n_references", lambda: canary.run_canary_experiment([1.0], n_references=NAN), "NaN"),
        Bad("config", lambda: canary.run_canary_experiment([1.0], config=sweep.SweepConfig(features="hog")),
            "HOG features"),
        Bad("config", lambda: canary.run_canary_experiment([1.0], config="pixels"), "a string"),
    ],
}
