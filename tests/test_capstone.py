"""Lesson 11's package: the task, the stages against the lessons' own modules, the table, the guide, the budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import ppml_lab as lab
from ppml_lab import capstone

SMALL = capstone.CapstoneConfig(n_train=300, n_heldout=100, epochs=2, batch_size=64, rounds=2, seeds=(0, 1),
                                key_bits=256, n_encrypted=3)


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def task():
    return capstone.make_task(300, 100)


def test_features_are_fixed_formulas_and_the_label_groups_chronic_diagnoses():
    table = lab.datasets.load_hospital().head(500)
    features = capstone.encode_features(table)
    assert features.shape == (500, len(capstone.FEATURE_NAMES)) and features.dtype == np.float32
    assert features.min() >= 0 and features.max() <= 1.1
    assert np.all(features[:, 4:].sum(axis=1) == 1)  # one hospital each
    labels = capstone.chronic_label(table)
    assert np.array_equal(labels == 1, table["diagnosis"].isin(capstone.CHRONIC_DIAGNOSES).to_numpy())


def test_the_split_is_disjoint_and_reproducible(task):
    again = capstone.make_task(300, 100)
    assert np.array_equal(task.rows, again.rows)
    assert sum(len(c) for c in task.clients) == len(task.train) == 300
    members = task.candidates.images[task.is_member]
    train_rows = {row.tobytes() for row in task.train.images}
    assert all(row.tobytes() in train_rows for row in members)
    assert task.is_member.sum() == (~task.is_member).sum()


def test_the_linear_model_scores_like_the_torch_model_also_encrypted(task):
    model = lab.models.build_model("logistic", seed=3, n_features=task.n_features, n_classes=2)
    linear = capstone.linear_model_of(model)
    x = task.test.images[:20]
    torch_prediction = model(torch.from_numpy(x)).argmax(1).numpy()
    assert np.array_equal(lab.encrypted_inference.plaintext_scores(linear, x) > 0, torch_prediction == 1)
    public, private = lab.paillier.generate_keypair(256, "toy", rng=0)
    encrypted = lab.encrypted_inference.paillier_scores(linear, x[:3].astype(float), public, private, rng=1)
    assert np.allclose(encrypted, lab.encrypted_inference.plaintext_scores(linear, x[:3].astype(float)), atol=1e-6)


def test_fedavg_on_secure_sums_matches_the_lessons_fedavg(task):
    plain = capstone.train_federated(task, SMALL, private=False, seed=0).model
    secure = capstone.train_secure_federated(task, SMALL, seed=0)
    gap = max(float((a - b).abs().max()) for a, b in zip(plain.state_dict().values(),
                                                        secure["model"].state_dict().values()))
    assert gap < 1e-4
    assert secure["server_view_correlation"] < 0.5  # the server's view is masked
    assert secure["bytes"] > 0


def _stage(name, stage="3 · train", utility=(0.8, 0.8), seconds=(1.0, 1.0), communication=100.0, before=(1.0, 1.0),
           after=(0.0, 0.0), keys=()):
    return capstone.StageResult(name, stage, keys, utility, seconds, communication, "threat", "attack", before, after)


def test_the_table_is_ratios_to_the_non_private_pipeline():
    serving = {"accuracy_plain": 0.5, "seconds_plain": 0.01, "bytes_plain": 64.0}
    result = capstone.CapstoneResult(SMALL, (
        _stage("base"), _stage("private", utility=(0.6, 0.8), seconds=(3.0, 5.0), communication=50.0, keys=("DP-SGD",)),
        _stage("served", "4 · serve", utility=(0.5,), seconds=(1.0,), communication=640.0)), serving)
    table = capstone.measured_table(result)
    private = table.set_index("technique").loc["private"]
    assert private["utility ×"] == pytest.approx(0.7 / 0.8)
    assert private["compute ×"] == pytest.approx(4.0) and private["communication ×"] == pytest.approx(0.5)
    assert "right to erasure" in private["requirements"]
    served = table.set_index("technique").loc["served"]
    assert served["compute ×"] == pytest.approx(100.0) and served["communication ×"] == pytest.approx(10.0)
    shown = capstone.display_table(table)
    assert "compute ×" not in shown.columns and shown.loc["private", "utility ×"] == "0.875"
    assert "compute ×" in capstone.display_table(table, timings=True).columns


def test_the_guide_states_measured_costs_and_hides_timings_on_request():
    overheads = capstone.Overheads((0.80, 0.82), {e: (0.79, 0.80) for e in capstone.GUIDE_EPSILONS}, (0.81, 0.81),
                                   (0.70, 0.72), 8.0, 1700.0, 0.01, 16,
                                   {"keygen": 1.0, "encrypt": 10.0, "add": 1e4, "decrypt": 30.0}, 2048)
    guide = capstone.decision_guide(overheads)
    assert len(guide) == 5 and "+1.5 ± 0.7 at ε = 1" in guide.loc[0, "overhead (measured)"]
    assert "per second" in guide.loc[4, "overhead (measured)"]
    assert "per second" not in capstone.decision_guide(overheads, timings=False).loc[4, "overhead (measured)"]
    page = capstone.render_decision_guide(overheads)
    assert page.startswith("# Which technique when") and "(../notebooks/02_dpsgd.ipynb)" in page


def test_the_budget_split_spends_the_whole_budget_through_a_ledger():
    outcome = capstone.budget_split(2.0, 5.0, SMALL)
    history = outcome["ledger"]
    assert history["epsilon"].sum() == pytest.approx(5.0)
    assert outcome["shares"] == {"DP-SGD model": 2.0, "hospital counts": 3.0}
    assert 0 <= outcome["accuracy"] <= 1 and outcome["count_error"] >= 0


def test_the_plots_draw_from_the_table():
    table = pd.DataFrame({"technique": ["a", "b"], "utility ×": [1.0, 0.9], "compute ×": [1.0, 3.0],
                          "communication ×": [1.0, 0.1], "attack before": [0.5, 1.0], "attack after": [0.5, 0.0]})
    figure = lab.plots.plot_cost_protection(table)
    assert len(figure.axes) == 2 and figure.axes[0].get_xscale() == "log"
    assert len(lab.plots.plot_budget_split({"a": 1.0, "b": 2.0}, 3.0).axes) == 1


def test_padding_keeps_the_features_and_adds_zeros(task):
    padded = capstone.pad_features(task.test)
    assert padded.images.shape == (len(task.test), capstone.MNIST_INPUTS)
    assert np.array_equal(padded.images[:, :task.n_features], task.test.images)
    assert not padded.images[:, task.n_features:].any() and np.array_equal(padded.labels, task.test.labels)


def test_the_releases_are_attacked_and_scored_against_the_true_counts(task):
    release = capstone.release_counts(task, k=5, epsilon=1.0)
    assert release["linkage_deidentified"] > release["linkage_k_anonymous"] and release["linkage_dp_counts"] == 0.0
    assert release["error_deidentified"] == 0.0 and release["error_k_anonymous"] == 0.0
    assert release["error_dp_counts"] > 0 and release["error_dp_synthetic"] > 0
    assert 0.0 <= release["linkage_dp_synthetic"] < release["linkage_deidentified"]
    people = lab.datasets.load_hospital().iloc[task.rows]
    assert capstone.count_queries(people).sum() == len(people) and len(capstone.count_queries(people)) == 27
