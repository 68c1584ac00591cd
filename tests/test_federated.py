"""Partitions, FedAvg / FedProx / DP-FedAvg, and the lesson's exercise checks (tiny models, fixed seeds)."""

import inspect
import math

import numpy as np
import pandas as pd
import pytest
import torch

from ppml_lab import federated as fl
from ppml_lab.datasets import ImageDataset, load_mnist5k, train_test_split
from ppml_lab.exercises import federated as ex
from ppml_lab.models import build_model
from ppml_lab.training import train_classifier


@pytest.fixture(scope="module")
def split():
    return train_test_split(load_mnist5k(), 0.2, rng=0)


@pytest.fixture(scope="module")
def small(split):
    """1,000 training and 300 test images: enough to learn, small enough to be quick."""
    train, test = split
    return ImageDataset(train.images[:1000], train.labels[:1000]), ImageDataset(test.images[:300], test.labels[:300])


# ----------------------------------------------------------------------------- partitions

def test_iid_partition_is_a_near_equal_disjoint_cover():
    labels = np.arange(103) % 10
    shards = fl.partition_iid(labels, 10, rng=1)
    joined = np.concatenate(shards)
    assert sorted(joined) == list(range(103))
    assert {len(s) for s in shards} <= {10, 11}
    assert all(np.array_equal(a, b) for a, b in zip(shards, fl.partition_iid(labels, 10, rng=1)))


def test_dirichlet_partition_covers_and_skews_with_small_alpha(split):
    labels = split[0].labels
    skewed = fl.partition_dirichlet(labels, 20, alpha=0.1, rng=0)
    near_iid = fl.partition_dirichlet(labels, 20, alpha=100.0, rng=0)
    for shards in (skewed, near_iid):
        assert sorted(np.concatenate(shards)) == list(range(len(labels)))
        assert min(len(s) for s in shards) >= 2

    def top_label_share(shards):
        return np.mean([np.bincount(labels[s], minlength=10).max() / len(s) for s in shards])

    # alpha = 0.1: a client's most common digit is most of its data; alpha = 100: about a tenth.
    assert top_label_share(skewed) > 0.6
    assert top_label_share(near_iid) < 0.25
    sizes = [len(s) for s in skewed]
    assert max(sizes) > 3 * min(sizes)  # label skew also makes sizes unequal, which is why weighting matters


def test_partition_and_label_mix_agree(split):
    clients = fl.partition(split[0], 8, alpha=0.5, rng=3)
    mix = fl.label_mix(clients)
    assert mix.shape == (8, 10)
    assert mix.sum(axis=1).tolist() == [len(c) for c in clients]
    assert mix.values.sum() == len(split[0])


@pytest.mark.parametrize("kwargs, message", [
    ({"n_clients": 0}, "n_clients must be an integer >= 1"),
    ({"n_clients": 5000}, "n_clients must be <="),
    ({"alpha": 0.0}, "alpha must be a finite number > 0"),
])
def test_partition_rejects_bad_arguments(split, kwargs, message):
    arguments = {"n_clients": 10, "alpha": 0.5} | kwargs
    with pytest.raises(ValueError, match=message):
        fl.partition(split[0], arguments.pop("n_clients"), rng=0, **arguments)


def test_dirichlet_partition_gives_up_with_advice_when_clients_stay_too_small():
    with pytest.raises(ValueError, match="raise alpha, lower n_clients or lower min_size"):
        fl.partition_dirichlet(np.arange(200) % 10, 40, alpha=0.01, rng=0, min_size=5, max_tries=5)


# ----------------------------------------------------------------------------- aggregation

def test_aggregate_weights_by_size_or_uniformly():
    states = [{"w": torch.tensor([0.0, 0.0])}, {"w": torch.tensor([4.0, 8.0])}]
    assert torch.allclose(fl.aggregate(states, [300, 100])["w"], torch.tensor([1.0, 2.0]))
    assert torch.allclose(fl.aggregate(states, [300, 100], "uniform")["w"], torch.tensor([2.0, 4.0]))
    with pytest.raises(ValueError, match="weighting must be one of"):
        fl.aggregate(states, [1, 1], "median")
    with pytest.raises(ValueError, match="sizes must all be > 0"):
        fl.aggregate(states, [1, 0])


def test_one_full_batch_round_equals_one_centralised_gradient_step(split):
    """McMahan et al.'s FedSGD identity: with one local full-batch step, the size-weighted average is
    exactly the centralised gradient step on all the data; the naive mean is not (unequal clients)."""
    train = ImageDataset(split[0].images[:600], split[0].labels[:600])
    clients = fl.partition(train, 4, alpha=0.3, rng=0)
    sizes = [len(c) for c in clients]
    assert len(set(sizes)) > 1
    common = dict(model="logistic", rounds=1, client_fraction=1.0, local_epochs=1, batch_size=10_000, lr=0.5,
                  seed=7, progress=False)
    weighted = fl.fedavg(clients, split[1], **common).model
    uniform = fl.fedavg(clients, split[1], weighting="uniform", **common).model
    centralised = build_model("logistic", seed=7)
    train_classifier(centralised, train, epochs=1, batch_size=10_000, lr=0.5)
    for name, tensor in centralised.state_dict().items():
        assert torch.allclose(weighted.state_dict()[name], tensor, atol=1e-6)
    difference = max((uniform.state_dict()[n] - t).abs().max().item() for n, t in centralised.state_dict().items())
    assert difference > 1e-3


def test_clip_update_bounds_the_norm():
    update = {"a": torch.tensor([3.0, 4.0]), "b": torch.tensor([12.0])}  # norm 13
    clipped = fl.clip_update(update, 1.3)
    assert math.isclose(math.sqrt(sum((t ** 2).sum().item() for t in clipped.values())), 1.3, rel_tol=1e-6)
    assert torch.equal(fl.clip_update(update, 100.0)["a"], update["a"])


# ----------------------------------------------------------------------------- FedAvg and FedProx

def test_fedavg_learns_and_records_one_row_per_round(small):
    train, test = small
    clients = fl.partition(train, 10, rng=0)
    result = fl.fedavg(clients, test, model="logistic", rounds=3, client_fraction=0.5, local_epochs=2, lr=0.1,
                       progress=False)
    history = result.history
    assert list(history.columns) == ["round", "accuracy", "loss", "clients"]
    assert history["round"].tolist() == [0, 1, 2, 3]
    assert history["clients"].tolist() == [0, 5, 5, 5]
    assert history["accuracy"].iloc[0] < 0.3 < 0.75 < result.accuracy  # from chance to a working classifier
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert fl.rounds_to_reach(history, 0.75) in (1, 2, 3) and fl.rounds_to_reach(history, 1.0) is None


def test_runs_are_reproducible_and_fedprox_with_mu_zero_is_fedavg(small):
    train, test = small
    clients = fl.partition(train, 6, alpha=0.5, rng=0)
    common = dict(model="logistic", rounds=2, client_fraction=0.5, progress=False, seed=3)
    first = fl.fedavg(clients, test, **common).history
    assert first.equals(fl.fedavg(clients, test, **common).history)
    assert first.equals(fl.fedprox(clients, test, mu=0.0, **common).history)
    assert not first.equals(fl.fedprox(clients, test, mu=1.0, **common).history)


def test_proximal_term_keeps_the_client_near_the_global_model(small):
    train, _ = small
    start = build_model("logistic", seed=0)

    def drift(mu):
        model = build_model("logistic", seed=0)
        fl.client_update(model, train, local_epochs=2, lr=0.1, mu=mu, seed=0)
        return math.sqrt(sum(((p - q) ** 2).sum().item() for p, q in zip(model.parameters(), start.parameters())))

    assert drift(1.0) < 0.7 * drift(0.0)


def test_algorithms_share_one_signature():
    def parameters(function):
        return {name: p.kind for name, p in inspect.signature(function).parameters.items()}

    fedavg, fedprox, dp = (parameters(f) for f in (fl.fedavg, fl.fedprox, fl.dp_fedavg))
    assert {k: v for k, v in fedprox.items() if k != "mu"} == fedavg
    assert set(fedavg) <= set(dp)
    assert list(fedavg)[:2] == ["clients", "test"]


@pytest.mark.parametrize("kwargs, message", [
    ({"rounds": 0}, "rounds must be an integer >= 1"),
    ({"client_fraction": 0.0}, r"client_fraction must be in \(0, 1\]"),
    ({"local_epochs": 0}, "local_epochs must be"),
    ({"lr": -1.0}, "lr must be a finite number > 0"),
    ({"weighting": "median"}, "weighting must be one of"),
])
def test_fedavg_rejects_bad_arguments_before_training(small, kwargs, message):
    train, test = small
    with pytest.raises(ValueError, match=message):
        fl.fedavg(fl.partition(train, 4, rng=0), test, progress=False, **kwargs)


def test_fedprox_rejects_negative_mu(small):
    with pytest.raises(ValueError, match="mu must be a finite number >= 0"):
        fl.fedprox(fl.partition(small[0], 4, rng=0), small[1], mu=-0.1, progress=False)


# ----------------------------------------------------------------------------- DP-FedAvg

def test_dp_fedavg_epsilon_matches_opacus_rdp_accountant_round_by_round(small):
    from opacus.accountants import RDPAccountant

    train, test = small
    clients = fl.partition(train, 50, rng=0)
    result = fl.dp_fedavg(clients, test, noise_multiplier=1.1, max_update_norm=0.5, delta=1e-3, model="logistic",
                          rounds=3, client_fraction=0.2, lr=0.1, progress=False)
    accountant = RDPAccountant()
    expected = [0.0]
    for _ in range(3):
        accountant.step(noise_multiplier=1.1, sample_rate=0.2)
        expected.append(accountant.get_epsilon(delta=1e-3))
    assert np.allclose(result.history["epsilon"], expected, rtol=1e-9)
    assert result.history["clients"].iloc[1:].between(1, 25).all()  # Poisson sampling around q * K = 10


def test_dp_fedavg_reaches_a_target_epsilon_and_noise_hurts(small):
    train, test = small
    clients = fl.partition(train, 40, rng=0)
    common = dict(max_update_norm=1.0, delta=1e-3, model="logistic", rounds=3, client_fraction=0.5, lr=0.2,
                  local_epochs=2, progress=False)
    targeted = fl.dp_fedavg(clients, test, epsilon=3.0, **common)
    assert targeted.history["epsilon"].iloc[-1] == pytest.approx(3.0, rel=0.02)
    quiet = fl.dp_fedavg(clients, test, noise_multiplier=0.05, **common).accuracy
    loud = fl.dp_fedavg(clients, test, noise_multiplier=20.0, **common).accuracy
    assert quiet > 0.6 and loud < quiet - 0.2


@pytest.mark.parametrize("kwargs, message", [
    ({}, "give exactly one of noise_multiplier or epsilon"),
    ({"noise_multiplier": 1.0, "epsilon": 1.0}, "give exactly one"),
    ({"noise_multiplier": 1.0, "weighting": "size"}, "weighting must be 'uniform'"),
    ({"noise_multiplier": 1.0, "delta": 0.0}, "delta must be in"),
    ({"noise_multiplier": 1.0, "max_update_norm": 0.0}, "max_update_norm must be"),
])
def test_dp_fedavg_rejects_bad_arguments(small, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fl.dp_fedavg(fl.partition(small[0], 4, rng=0), small[1], progress=False, **kwargs)


# ----------------------------------------------------------------------------- exercise checks

def test_compare_runs_summarises_each_setting_over_seeds():
    def history(accuracies):
        return pd.DataFrame({"round": range(len(accuracies)), "accuracy": accuracies})

    runs = {("IID", "FedAvg", 0): history([0.1, 0.5, 0.9]), ("IID", "FedAvg", 1): history([0.1, 0.6, 0.7]),
            ("skewed", "FedAvg", 0): history([0.1, 0.2, 0.3])}
    table = fl.compare_runs(runs, target_accuracy=0.6, last_rounds=2)
    assert list(table.index) == ["IID · FedAvg", "skewed · FedAvg"]
    assert table.loc["IID · FedAvg", "final accuracy"] == pytest.approx(0.8)
    assert table.loc["IID · FedAvg", "± sd"] == pytest.approx(np.std([0.9, 0.7], ddof=1))
    assert table.loc["IID · FedAvg", "mean of last 2 rounds"] == pytest.approx(0.675)
    assert table.loc["IID · FedAvg", "rounds to target, per seed"] == "2, 1"
    assert table.loc["skewed · FedAvg", "rounds to target, per seed"] == "-"
    assert math.isnan(table.loc["skewed · FedAvg", "± sd"])


def test_check_weighted_average_explains_the_naive_mean():
    assert ex.check_weighted_average(lambda states, sizes: fl.aggregate(states, sizes)).passed
    assert "naive mean" in ex.check_weighted_average(lambda s, n: fl.aggregate(s, n, "uniform")).message
    assert "divide" in ex.check_weighted_average(
        lambda s, n: {k: sum(w * x[k] for w, x in zip(n, s)) for k in s[0]}).message
    assert "None" in ex.check_weighted_average(lambda s, n: None).message
    assert not ex.check_weighted_average(None).passed


def test_check_label_from_update_explains_the_sign():
    from ppml_lab.leakage import infer_label

    assert ex.check_label_from_update(infer_label).passed
    assert "largest" in ex.check_label_from_update(lambda u: int(u[-2].sum(1).argmin())).message

    def unfinished(update):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_label_from_update(unfinished).message
