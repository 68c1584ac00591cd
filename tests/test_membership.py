import math
import os

import numpy as np
import pytest
import torch

from ppml_lab import datasets, dpsgd
from ppml_lab.attacks import membership as mia
from ppml_lab.attacks.metrics import attack_metrics, balanced_accuracy, roc_auc
from ppml_lab.models import build_model

RECIPE = mia.TrainingRecipe(model="mlp", epochs=40, batch_size=50, lr=0.1, momentum=0.9)


@pytest.fixture(scope="module")
def cache_folder(tmp_path_factory):
    """A fresh cache for this module's shadow models."""
    old = os.environ.get("PPML_LAB_CACHE")
    os.environ["PPML_LAB_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield os.environ["PPML_LAB_CACHE"]
    if old is None:
        del os.environ["PPML_LAB_CACHE"]
    else:
        os.environ["PPML_LAB_CACHE"] = old


@pytest.fixture(scope="module")
def game(cache_folder):
    """An overfit MLP on 200 of 400 candidates; 4 shadows on the candidates' pool, 2 on disjoint data."""
    data = datasets.load_mnist5k()
    order = np.random.default_rng(0).permutation(len(data))[:800]
    pool = datasets.ImageDataset(data.images[order], data.labels[order])
    candidates_idx, disjoint_idx = np.arange(400), np.arange(400, 800)
    target, is_member = mia.train_target(RECIPE, pool, eligible=candidates_idx, seed=99)
    online = mia.train_shadow_models(RECIPE, pool, 4, eligible=candidates_idx, seed=1, progress=False)
    disjoint = mia.train_shadow_models(RECIPE, pool, 2, eligible=disjoint_idx, seed=2, progress=False)
    candidates = datasets.ImageDataset(pool.images[:400], pool.labels[:400])
    return dict(pool=pool, target=target, truth=is_member[:400], online=online, disjoint=disjoint,
                candidates=candidates)


def test_target_trains_on_exactly_half_of_the_eligible_examples(game):
    truth, online = game["truth"], game["online"]
    assert truth.sum() == 200 and not game["online"].in_mask[:, 400:].any()
    assert (online.in_mask[:, :400].sum(1) == 200).all()
    assert not game["disjoint"].in_mask[:, :400].any()


def test_membership_is_matched_by_content(game):
    online, pool = game["online"], game["pool"]
    shuffled = np.random.default_rng(3).permutation(400)
    candidates = datasets.ImageDataset(pool.images[shuffled], pool.labels[shuffled])
    np.testing.assert_array_equal(online.membership(candidates), online.in_mask[:, shuffled])
    stranger = datasets.ImageDataset(np.zeros((2, 1, 28, 28), np.float32), np.array([0, 1]))
    assert not online.membership(stranger).any()
    both = online + game["disjoint"]
    assert len(both) == 6 and both.subset([4, 5]).in_mask[:, :400].sum() == 0


def test_logit_confidence_and_loss_match_their_definitions():
    logits = np.random.default_rng(0).normal(0, 3, size=(50, 10))
    labels = np.random.default_rng(1).integers(10, size=50)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p_true = p[np.arange(50), labels]
    np.testing.assert_allclose(mia.logit_confidence(logits, labels), np.log(p_true / (1 - p_true)), rtol=1e-9)
    reference = torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels),
                                                  reduction="none").numpy()
    np.testing.assert_allclose(mia.example_loss(logits, labels), reference, rtol=1e-9)
    assert np.isfinite(mia.logit_confidence(np.array([[200.0, 0.0]]), np.array([0]))).all()  # p_y == 1.0 in float


@pytest.fixture(scope="module")
def results(game):
    both = game["online"] + game["disjoint"]
    shadows_for = {"loss (Yeom)": game["disjoint"], "shadow model (Shokri)": game["disjoint"],
                   "LiRA offline": both, "LiRA online": both}
    return {name: attack(game["target"], game["candidates"], shadows_for[name])
            for name, attack in mia.ATTACKS.items()}


def test_every_attack_beats_guessing_on_an_overfit_model(game, results):
    for name, result in results.items():
        assert result.scores.shape == (400,), name
        m = attack_metrics(result.scores, game["truth"], result.predictions)
        assert m.auc > 0.55, (name, m.auc)
        assert m.balanced_accuracy > 0.52, (name, m.balanced_accuracy)  # threshold chosen on shadows only


def test_lira_beats_the_loss_attack_where_it_matters(game, results):
    """Carlini et al. 2022's point: the per-example test is far stronger at low FPR (here 2 false positives)."""
    truth = game["truth"]
    tpr = {name: attack_metrics(r.scores, truth).tpr_at_1pct_fpr for name, r in results.items()}
    assert tpr["LiRA online"] > 2 * tpr["loss (Yeom)"] and tpr["LiRA offline"] > tpr["loss (Yeom)"]


def test_attacks_explain_what_they_need(game):
    with pytest.raises(ValueError, match="with and without"):
        mia.lira_online(game["target"], game["candidates"], game["disjoint"] + game["disjoint"])
    with pytest.raises(ValueError, match="at least 3 models"):
        mia.lira_online(game["target"], game["candidates"], game["disjoint"])
    with pytest.raises(ValueError, match="target must be"):
        mia.loss_attack("model", game["candidates"], game["disjoint"])
    with pytest.raises(ValueError, match="at least one shadow that did not train"):
        everywhere = mia.ShadowModels(game["online"].models[:2], game["pool"], np.ones((2, 800), bool))
        mia.lira_offline(game["target"], game["candidates"], everywhere)


def test_shadow_models_come_back_from_the_cache(game, cache_folder):
    again = mia.train_shadow_models(RECIPE, game["pool"], 4, eligible=np.arange(400), seed=1, progress=False)
    np.testing.assert_array_equal(again.in_mask, game["online"].in_mask)
    for first, second in zip(game["online"].models, again.models):
        for p, q in zip(first.parameters(), second.parameters()):
            assert torch.equal(p, q)
    assert len(os.listdir(os.path.join(cache_folder, "membership_models"))) == 7


def test_recipe_checks_and_dp_calibration(game):
    with pytest.raises(ValueError, match="model must be one of"):
        mia.TrainingRecipe(model="resnet")
    with pytest.raises(ValueError, match="momentum must be 0 with DP-SGD"):
        mia.TrainingRecipe(epsilon=1.0, momentum=0.9)
    recipe = mia.TrainingRecipe(model="logistic", epochs=2, batch_size=64, lr=0.5, epsilon=2.0)
    train = datasets.ImageDataset(game["pool"].images[:300], game["pool"].labels[:300])
    result = dpsgd.train_dpsgd(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10)), train, train,
                               epsilon=2.0, epochs=2, batch_size=64, lr=0.5, accountant="rdp")
    assert recipe.noise_multiplier(300) == pytest.approx(result.noise_multiplier, rel=1e-6)


def test_a_dp_target_resists_the_loss_attack(game):
    recipe = mia.TrainingRecipe(model="mlp", epochs=10, batch_size=50, lr=0.5, epsilon=0.5)
    target, is_member = mia.train_target(recipe, game["pool"], eligible=np.arange(400), seed=99)
    result = mia.loss_attack(target, game["candidates"], game["disjoint"])
    assert abs(roc_auc(result.scores, is_member[:400]) - 0.5) < 0.06
    assert balanced_accuracy(result.predictions, is_member[:400]) < 0.56


def test_the_dpsgd_recipe_can_drop_noise_and_clipping(game):
    """epsilon=inf is DP-SGD's pipeline with no noise; max_grad_norm=None also switches clipping off."""
    no_noise = mia.TrainingRecipe(model="logistic", epochs=2, batch_size=50, lr=0.5, epsilon=math.inf)
    bare = mia.TrainingRecipe(model="logistic", epochs=2, batch_size=50, lr=0.5, epsilon=math.inf,
                              max_grad_norm=None)
    assert no_noise.uses_dpsgd and not no_noise.private and no_noise.noise_multiplier(300) == 0.0
    assert [r.describe() for r in (RECIPE, bare, no_noise)] == [
        "SGD + momentum, 40 epochs", "DP-SGD recipe, no clip, no noise", "DP-SGD recipe, clip only"]
    train = datasets.ImageDataset(game["pool"].images[:300], game["pool"].labels[:300])
    unclipped = bare.train(train, seed=5)
    # the same run with another huge clipping norm gives the same weights: no gradient was ever clipped
    reference = dpsgd.train_dpsgd(build_model("logistic", seed=5), train, train, epsilon=None,
                                  noise_multiplier=0.0, max_grad_norm=1e6, epochs=2, batch_size=50, lr=0.5,
                                  accountant="rdp", seed=5, grad_sample_mode="ghost").model
    clipped = no_noise.train(train, seed=5)
    for p, q, c in zip(unclipped.parameters(), reference.parameters(), clipped.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
        assert not torch.allclose(p, c, atol=1e-3)  # clipping at 1 changes the run
    with pytest.raises(ValueError, match="max_grad_norm may be None"):
        mia.TrainingRecipe(epsilon=1.0, max_grad_norm=None)


def test_comparison_frame_counts_the_members_behind_each_rate(game, results):
    truth = game["truth"]
    scorecards = {name: attack_metrics(r.scores, truth, r.predictions) for name, r in results.items()}
    experiment = mia.MembershipExperiment(RECIPE, 4, 0.8, truth, results, scorecards, 1.0)
    frame = mia.comparison_frame({"overfit": experiment, "again": experiment})
    assert len(frame) == 2 * len(results) and list(frame["setting"].unique()) == ["overfit", "again"]
    for _, row in frame.iterrows():
        assert row["members caught @0.1%FPR"] == round(row["TPR@0.1%FPR"] * truth.sum())
        assert row["TPR@0.1%FPR low"] <= row["TPR@0.1%FPR"] <= row["TPR@0.1%FPR high"]
    table = mia.comparison_table(frame)
    assert table.index.names == ["setting", "attack"] and "TPR@0.1%FPR (95% CI)" in table.columns
