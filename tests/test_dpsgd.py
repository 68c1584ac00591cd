"""Tests for ppml_lab.dpsgd and ppml_lab.features: the scratch step against Opacus, validation, determinism."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from ppml_lab import dpsgd, features, models
from ppml_lab.datasets import ImageDataset, load_mnist5k, train_test_split


@pytest.fixture(scope="module")
def tiny() -> tuple[ImageDataset, ImageDataset]:
    """400 training and 100 test images: enough to learn something, fast enough for a unit test."""
    data = load_mnist5k()
    rows = np.random.default_rng(0).permutation(len(data))[:500]  # the file is ordered by digit
    train, test = train_test_split(ImageDataset(data.images[rows], data.labels[rows]), 0.2, rng=0)
    assert len(np.unique(train.labels)) == 10
    return train, test


def _opacus_privatized_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, max_grad_norm: float,
                                noise_multiplier: float, seed: int) -> dict[str, torch.Tensor]:
    """One step of Opacus's DPOptimizer (no update: lr=0), returning the privatized gradient it computed."""
    from opacus import GradSampleModule
    from opacus.optimizers import DPOptimizer

    wrapped = GradSampleModule(model)
    optimizer = DPOptimizer(torch.optim.SGD(wrapped.parameters(), lr=0.0), noise_multiplier=noise_multiplier,
                            max_grad_norm=max_grad_norm, expected_batch_size=len(x),
                            generator=torch.Generator().manual_seed(seed))
    optimizer.zero_grad()
    nn.functional.cross_entropy(wrapped(x), y).backward()
    optimizer.step()
    grads = {name: p.grad.detach().clone() for name, p in model.named_parameters()}
    wrapped.cleanup()
    return grads


@pytest.mark.parametrize("name", ["logistic", "mlp", "cnn"])
@pytest.mark.parametrize("noise_multiplier", [0.0, 1.3])
def test_scratch_step_matches_opacus(tiny, name, noise_multiplier):
    """Same model, batch, clipping norm and noise seed: the two privatized gradients agree to 1e-5."""
    train, _ = tiny
    x, y = torch.from_numpy(train.images[:32]), torch.from_numpy(train.labels[:32])
    max_grad_norm = 0.5  # small enough that most examples are clipped
    ours = dpsgd.privatized_gradient(models.build_model(name, seed=1), x, y, max_grad_norm=max_grad_norm,
                                     noise_multiplier=noise_multiplier,
                                     generator=torch.Generator().manual_seed(7))
    theirs = _opacus_privatized_gradient(models.build_model(name, seed=1), x, y, max_grad_norm,
                                         noise_multiplier, seed=7)
    assert ours.keys() == theirs.keys()
    for key in ours:
        torch.testing.assert_close(ours[key], theirs[key], rtol=0, atol=1e-5)


def test_clip_per_sample_bounds_each_example_norm():
    grads = {"w": torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0)) * 10, "b": torch.ones(5, 3)}
    clipped = dpsgd.clip_per_sample(grads, 1.0)
    norms = torch.cat([g.reshape(5, -1) for g in clipped.values()], 1).norm(dim=1)
    assert torch.all(norms <= 1.0 + 1e-6) and torch.all(norms > 0.99)
    small = {"w": torch.full((2, 2), 0.1)}
    torch.testing.assert_close(dpsgd.clip_per_sample(small, 1.0)["w"], small["w"], atol=1e-6, rtol=0)


def test_noise_has_the_stated_scale():
    noisy = dpsgd.add_gaussian_noise({"g": torch.zeros(200_000)}, noise_multiplier=2.0, max_grad_norm=0.5,
                                     generator=torch.Generator().manual_seed(0))["g"]
    assert abs(float(noisy.std()) - 1.0) < 0.01  # std = sigma * C = 1.0; 200k draws: s.e. ~0.0016
    assert abs(float(noisy.mean())) < 0.01


def test_validate_model_names_batchnorm_and_suggests_fix():
    with pytest.raises(ValueError, match=r"BatchNorm.*ModuleValidator\.fix"):
        dpsgd.validate_model(models.build_model("cnn_bn"))
    from opacus.validators import ModuleValidator

    dpsgd.validate_model(ModuleValidator.fix(models.build_model("cnn_bn")))  # fixed: no error
    dpsgd.validate_model(models.build_model("cnn"))


def test_train_rejects_batchnorm_before_training(tiny):
    train, test = tiny
    model = models.build_model("cnn_bn")
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="BatchNorm"):
        dpsgd.train_dpsgd(model, train, test, epsilon=1.0)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.parametrize("kwargs, match", [
    ({"epsilon": 0.0}, "epsilon"), ({"epsilon": -1.0}, "epsilon"), ({"epsilon": 1.0, "delta": 1.0}, "delta"),
    ({"epsilon": 1.0, "max_grad_norm": 0.0}, "max_grad_norm"), ({"epsilon": 1.0, "epochs": 0}, "epochs"),
    ({"epsilon": 1.0, "accountant": "moments"}, "accountant"), ({"epsilon": 1.0, "batch_size": 10_000}, "batch_size"),
    ({"epsilon": 1.0, "grad_sample_mode": "magic"}, "grad_sample_mode"),
    ({"epsilon": None, "noise_multiplier": -1.0}, "noise_multiplier"),
    ({"epsilon": 1.0, "device": "gpu0"}, "device"),
])
def test_train_validates_arguments(tiny, kwargs, match):
    train, test = tiny
    with pytest.raises(ValueError, match=match):
        dpsgd.train_dpsgd(models.build_model("logistic"), train, test, **kwargs)


@pytest.mark.parametrize("accountant", ["prv", "rdp"])
def test_private_training_spends_at_most_target_and_learns(tiny, accountant):
    train, test = tiny
    result = dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=4.0, epochs=3, batch_size=64,
                               lr=2.0, accountant=accountant, seed=0)
    assert 4.0 * 0.95 <= result.epsilon <= 4.0 + 0.05  # calibrated to the target (tolerance 0.01 in Opacus)
    assert result.noise_multiplier > 0 and result.max_grad_norm == 1.0 and result.delta == 1e-5
    assert result.steps == 3 * math.ceil(len(train) / 64)
    assert result.accuracy > 0.3  # chance is 0.1; 100 test images
    assert type(result.model) is nn.Sequential  # unwrapped, hooks removed
    assert not any(m._forward_hooks or m._backward_hooks for m in result.model.modules())


def test_private_training_is_deterministic_for_a_seed(tiny):
    train, test = tiny
    runs = [dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=2.0, epochs=2, batch_size=64,
                              accountant="rdp", seed=seed) for seed in (3, 3, 4)]
    first, again, other = (torch.cat([p.flatten() for p in r.model.parameters()]) for r in runs)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_baseline_uses_same_schedule_and_reports_no_privacy(tiny):
    train, test = tiny
    result = dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=None, epochs=3, batch_size=64,
                               lr=2.0)
    assert result.epsilon is None and result.noise_multiplier == 0.0 and result.max_grad_norm is None
    assert result.steps == 3 * math.ceil(len(train) / 64)
    assert result.accuracy > 0.6


def test_explicit_noise_multiplier_overrides_calibration(tiny):
    train, test = tiny
    weak = dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=None, noise_multiplier=0.3,
                             epochs=1, batch_size=64)
    assert weak.noise_multiplier == 0.3
    assert weak.epsilon == pytest.approx(dpsgd.epsilon_spent(0.3, weak.sample_rate, weak.steps, 1e-5), rel=1e-9)
    assert weak.epsilon > 10  # sigma 0.3 is far too little noise for a meaningful guarantee
    no_noise = dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=1.0, noise_multiplier=0.0,
                                 epochs=1, batch_size=64)
    assert math.isinf(no_noise.epsilon)


def test_calibration_matches_make_private_with_epsilon(tiny):
    """train_dpsgd calibrates sigma exactly as Opacus's one-call form does."""
    from opacus import PrivacyEngine

    train, test = tiny
    ours = dpsgd.train_dpsgd(models.build_model("logistic"), train, test, epsilon=2.0, epochs=2, batch_size=64,
                             accountant="rdp")
    model = models.build_model("logistic")
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(train.images),
                                                                        torch.from_numpy(train.labels)),
                                         batch_size=64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, optimizer, _ = PrivacyEngine(accountant="rdp").make_private_with_epsilon(
            module=model, optimizer=torch.optim.SGD(model.parameters(), lr=0.1), data_loader=loader,
            target_epsilon=2.0, target_delta=1e-5, epochs=2, max_grad_norm=1.0)
    assert ours.noise_multiplier == optimizer.noise_multiplier


def test_prv_is_tighter_than_rdp_for_the_same_noise():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prv = dpsgd.epsilon_spent(1.0, 0.05, 200, 1e-5, "prv")
        rdp = dpsgd.epsilon_spent(1.0, 0.05, 200, 1e-5, "rdp")
    assert prv < rdp


def test_noise_multiplier_for_round_trips_through_the_accountant():
    sigma = dpsgd.noise_multiplier_for(2.0, 1e-5, sample_rate=0.064, epochs=5, accountant="rdp")
    spent = dpsgd.epsilon_spent(sigma, 0.064, int(5 / 0.064), 1e-5, "rdp")
    assert spent == pytest.approx(2.0, abs=0.05)


def test_hog_features_are_fixed_bounded_and_informative():
    data = load_mnist5k()
    rows = np.random.default_rng(0).permutation(len(data))[:200]  # the file is ordered by digit
    images, labels = data.images[rows], data.labels[rows]
    feats = features.hog_features(images)
    assert feats.shape == (200, 4 * 4 * 9) and feats.dtype == np.float32
    assert np.all(np.linalg.norm(feats, axis=1) <= 4 + 1e-4)  # 16 cells, each unit norm at most
    np.testing.assert_array_equal(feats[:10], features.hog_features(images[:10]))  # per-example, no fitting
    # informative: a digit is nearer (cosine) to its class mean than to other classes' most of the time
    means = np.stack([feats[labels == c].mean(0) for c in range(10)])
    assert (np.argmax(feats @ means.T, axis=1) == labels).mean() > 0.6
    with pytest.raises(ValueError, match="cells"):
        features.hog_features(images[:2], cells=5)


def test_per_sample_gradient_norms_match_one_at_a_time(tiny):
    train, _ = tiny
    model = models.build_model("mlp", seed=2)
    x, y = torch.from_numpy(train.images[:5]), torch.from_numpy(train.labels[:5])
    norms = dpsgd.per_sample_gradient_norms(model, x, y)
    for i in range(5):
        model.zero_grad()
        nn.functional.cross_entropy(model(x[i:i + 1]), y[i:i + 1]).backward()
        one = torch.cat([p.grad.flatten() for p in model.parameters()]).norm().item()
        assert norms[i] == pytest.approx(one, rel=1e-4)


def test_diffprivlib_side_by_side_runs_and_validates(tiny):
    train, test = tiny
    first = dpsgd.diffprivlib_accuracy(train, test, epsilon=1000.0, data_norm=28.0, seed=0)
    assert first == dpsgd.diffprivlib_accuracy(train, test, epsilon=1000.0, data_norm=28.0, seed=0)
    assert first > 0.25  # a huge budget on 400 images: well above chance (0.1); measured 0.39
    with pytest.raises(ValueError, match="epsilon"):
        dpsgd.diffprivlib_accuracy(train, test, epsilon=0.0, data_norm=28.0)
    with pytest.raises(ValueError, match="data_norm"):
        dpsgd.diffprivlib_accuracy(train, test, epsilon=1.0, data_norm=-1.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_trains_on_cuda_and_returns_a_cpu_model(tiny):
    train, test = tiny
    result = dpsgd.train_dpsgd(models.build_model("cnn"), train, test, epsilon=2.0, epochs=1, batch_size=64,
                               device="cuda")
    assert result.accuracy > 0.1 and next(result.model.parameters()).device.type == "cpu"


def test_validate_model_names_each_offending_layer_once():
    with pytest.raises(ValueError) as raised:
        dpsgd.validate_model(models.build_model("cnn_bn"))
    message = str(raised.value)
    assert "'1' (BatchNorm2d)" in message and "'4' (BatchNorm2d)" in message
    assert message.count("BatchNorm cannot support training with differential privacy") == 1


@pytest.mark.parametrize("call, name", [
    (lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 1.5, 5), "sample_rate"),
    (lambda: dpsgd.noise_multiplier_for(1.0, 1e-5, 0, 5), "sample_rate"),
    (lambda: dpsgd.epsilon_spent(1.0, 0.01, -3, 1e-5), "steps"),
    (lambda: dpsgd.epsilon_spent(1.0, 2.0, 3, 1e-5), "sample_rate"),
    (lambda: dpsgd.epsilon_spent(float("nan"), 0.1, 3, 1e-5), "noise_multiplier"),
    (lambda: dpsgd.noise_multiplier_for(1.0, 0.0, 0.1, 5), "delta"),
])
def test_accounting_refuses_out_of_range_arguments_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_zero_noise_spends_infinite_epsilon():
    assert dpsgd.epsilon_spent(0.0, 0.1, 10, 1e-5) == math.inf


def test_diffprivlib_regularisation_is_passed_through(tiny):
    train, test = tiny
    flat = features.featurize(train), features.featurize(test)
    weak = dpsgd.diffprivlib_accuracy(*flat, epsilon=1000.0, data_norm=4.0, inverse_regularization=1.0)
    strong = dpsgd.diffprivlib_accuracy(*flat, epsilon=1000.0, data_norm=4.0, inverse_regularization=1e-4)
    assert weak != strong and weak > 0.3  # a huge budget learns; heavy regularisation changes the fit


def test_tune_diffprivlib_picks_the_best_validation_pair(tiny):
    train, test = tiny
    fit, validation = features.featurize(train), features.featurize(test)
    norm, c, accuracy = dpsgd.tune_diffprivlib(fit, validation, epsilon=100.0, data_norms=[4.0, 1.0],
                                               inverse_regularizations=[1.0, 1e-4])
    candidates = [dpsgd.diffprivlib_accuracy(fit, validation, epsilon=100.0, data_norm=n, inverse_regularization=r)
                  for n in (4.0, 1.0) for r in (1.0, 1e-4)]
    assert accuracy == max(candidates) and norm in (4.0, 1.0) and c in (1.0, 1e-4)


@pytest.mark.parametrize("name, mode", [("logistic", "ghost"), ("mlp", "ghost"), ("cnn", "hooks")])
def test_auto_picks_ghost_clipping_only_where_every_layer_has_a_ghost_norm(name, mode):
    assert dpsgd.choose_grad_sample_mode(models.build_model(name)) == mode  # the CNN's convolutions have none


def test_auto_mode_is_recorded_and_clips_as_exactly_as_hooks(tiny):
    train, test = tiny
    runs = {mode: dpsgd.train_dpsgd(models.build_model("mlp", seed=3), train, test, epsilon=2.0, epochs=2,
                                    batch_size=32, accountant="rdp", seed=3, grad_sample_mode=mode)
            for mode in ("auto", "hooks")}
    assert runs["auto"].grad_sample_mode == "ghost" and runs["hooks"].grad_sample_mode == "hooks"
    for auto, hooks in zip(runs["auto"].model.parameters(), runs["hooks"].model.parameters()):
        torch.testing.assert_close(auto, hooks, rtol=0, atol=1e-5)  # the same clipping; float sums differ
    assert runs["auto"].epsilon == runs["hooks"].epsilon
    baseline = dpsgd.train_dpsgd(models.build_model("mlp", seed=3), train, test, epsilon=None, epochs=1, batch_size=32)
    assert baseline.grad_sample_mode is None
