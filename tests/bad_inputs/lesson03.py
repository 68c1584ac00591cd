"""Lesson 03's bad inputs: membership-inference attacks, their metrics, the audit and the exercise checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from torch import nn

from bad_inputs import NAN, Bad, exempt, numbers
from ppml_lab import audit
from ppml_lab.attacks import membership as mia
from ppml_lab.attacks import metrics
from ppml_lab.datasets import ImageDataset
from ppml_lab.exercises import membership as exercises
from ppml_lab.models import build_model

DATA = ImageDataset(np.zeros((6, 1, 28, 28), dtype=np.float32), np.arange(6, dtype=np.int64) % 3)
EMPTY = ImageDataset(np.zeros((0, 1, 28, 28), dtype=np.float32), np.zeros(0, dtype=np.int64))
MODEL = build_model("logistic", seed=0)
RECIPE = mia.TrainingRecipe(epochs=1)
MASK = np.array([[True, False, True, False, True, False]] * 3)
SHADOWS = mia.ShadowModels([build_model("logistic", seed=s) for s in range(3)], DATA, MASK)
SCORES = np.array([0.1, 0.4, 0.35, 0.8])
MEMBER = np.array([False, False, True, True])
LOGITS = np.zeros((4, 3))
LABELS = np.array([0, 1, 2, 0])
ATTACK_METRICS = metrics.attack_metrics(SCORES, MEMBER)
EXPERIMENT = mia.MembershipExperiment(RECIPE, 4, 0.9, MEMBER, {"loss": mia.AttackResult("loss", SCORES, 0.3)},
                                      {"loss": ATTACK_METRICS}, 1.0)
FRAME = mia.comparison_frame({"a": EXPERIMENT})


def _recipe(**kwargs):
    return lambda: mia.TrainingRecipe(**kwargs)


def _attack(function):
    return [Bad("target", lambda: function("model", DATA, SHADOWS), "not a model"),
            Bad("candidates", lambda: function(MODEL, EMPTY, SHADOWS), "empty"),
            Bad("candidates", lambda: function(MODEL, DATA.images, SHADOWS), "an array, not a dataset"),
            Bad("shadows", lambda: function(MODEL, DATA, [MODEL]), "a list, not ShadowModels")]


def _exercise(function, param):
    return [Bad(param, lambda: function(None), "None"),
            Bad(param, lambda: function(3.0), "a number (the result, not the function)")]


TABLE = {
    # --- attacks.membership ---
    "ppml_lab.attacks.membership.TrainingRecipe": [
        *numbers("epochs", lambda v: mia.TrainingRecipe(epochs=v)),
        *numbers("batch_size", lambda v: mia.TrainingRecipe(batch_size=v)),
        *numbers("lr", lambda v: mia.TrainingRecipe(lr=v)),
        *numbers("momentum", lambda v: mia.TrainingRecipe(momentum=v), allow_zero=True),
        Bad("momentum", _recipe(momentum=1.0), "1 (diverges)"),
        Bad("momentum", _recipe(momentum=0.9, epsilon=1.0), "momentum with DP-SGD"),
        Bad("epsilon", _recipe(epsilon=NAN), "NaN"),
        Bad("epsilon", _recipe(epsilon=0.0), "zero"),
        Bad("epsilon", _recipe(epsilon=-1.0), "negative"),
        Bad("epsilon", _recipe(epsilon="1"), "a string"),
        Bad("delta", _recipe(delta=2.0), "above 1"),
        Bad("max_grad_norm", _recipe(epsilon=1.0, max_grad_norm=NAN), "NaN"),
        Bad("max_grad_norm", _recipe(epsilon=1.0, max_grad_norm=0.0), "zero"),
        Bad("max_grad_norm", _recipe(epsilon=1.0, max_grad_norm=None), "no clipping with noise"),
        Bad("model", _recipe(model="resnet"), "unknown model"),
        Bad("accountant", _recipe(accountant="moments"), "unknown accountant"),
        Bad("grad_sample_mode", _recipe(grad_sample_mode="fast"), "unknown mode"),
    ],
    "ppml_lab.attacks.membership.ShadowModels": [
        Bad("models", lambda: mia.ShadowModels([], DATA, MASK[:0]), "empty"),
        Bad("models", lambda: mia.ShadowModels(["m"] * 3, DATA, MASK), "not modules"),
        Bad("data", lambda: mia.ShadowModels([MODEL] * 3, DATA.images, MASK), "an array, not a dataset"),
        Bad("in_mask", lambda: mia.ShadowModels([MODEL] * 3, DATA, MASK[:, :4]), "wrong shape"),
        Bad("in_mask", lambda: mia.ShadowModels([MODEL] * 3, DATA, MASK.astype(float)), "not boolean"),
    ],
    "ppml_lab.attacks.membership.AttackResult": [
        Bad("name", lambda: mia.AttackResult(3, SCORES, 0.5), "not a string"),
        Bad("scores", lambda: mia.AttackResult("a", np.array([0.1, NAN]), 0.5), "NaN"),
        Bad("scores", lambda: mia.AttackResult("a", np.zeros((2, 2)), 0.5), "2-D"),
        Bad("scores", lambda: mia.AttackResult("a", [], 0.5), "empty"),
        Bad("threshold", lambda: mia.AttackResult("a", SCORES, NAN), "NaN"),
        Bad("threshold", lambda: mia.AttackResult("a", SCORES, "0.5"), "a string"),
    ],
    "ppml_lab.attacks.membership.MembershipExperiment": [
        Bad("recipe", lambda: mia.MembershipExperiment("mlp", 4, 0.9, MEMBER, {}, {}), "not a recipe"),
        Bad("n_shadows", lambda: mia.MembershipExperiment(RECIPE, 0, 0.9, MEMBER, {}, {}), "zero"),
        Bad("test_accuracy", lambda: mia.MembershipExperiment(RECIPE, 4, 1.5, MEMBER, {}, {}), "above 1"),
        Bad("test_accuracy", lambda: mia.MembershipExperiment(RECIPE, 4, NAN, MEMBER, {}, {}), "NaN"),
        Bad("train_accuracy", lambda: mia.MembershipExperiment(RECIPE, 4, 0.9, MEMBER, {}, {}, -0.1), "negative"),
        Bad("is_member", lambda: mia.MembershipExperiment(RECIPE, 4, 0.9, SCORES, {}, {}), "not boolean"),
        Bad("metrics", lambda: mia.MembershipExperiment(RECIPE, 4, 0.9, MEMBER, {"a": 1}, {}), "other attacks"),
    ],
    "ppml_lab.attacks.membership.comparison_frame": [
        Bad("experiments", lambda: mia.comparison_frame({}), "empty"),
        Bad("experiments", lambda: mia.comparison_frame({"a": 1}), "not an experiment"),
        Bad("experiments", lambda: mia.comparison_frame([EXPERIMENT]), "a list"),
    ],
    "ppml_lab.attacks.membership.comparison_table": [
        Bad("frame", lambda: mia.comparison_table(pd.DataFrame()), "empty frame"),
        Bad("frame", lambda: mia.comparison_table({"setting": []}), "a dict"),
        Bad("columns", lambda: mia.comparison_table(FRAME, ("precision",)), "unknown column"),
        Bad("columns", lambda: mia.comparison_table(FRAME, ()), "empty"),
        *numbers("digits", lambda v: mia.comparison_table(FRAME, digits=v)),
    ],
    "ppml_lab.attacks.membership.example_loss": [
        Bad("logits", lambda: mia.example_loss(np.zeros(4), LABELS), "1-D"),
        Bad("logits", lambda: mia.example_loss(np.full((4, 3), NAN), LABELS), "NaN"),
        Bad("logits", lambda: mia.example_loss("abc", LABELS), "a string"),
        Bad("labels", lambda: mia.example_loss(LOGITS, LABELS[:3]), "wrong length"),
        Bad("labels", lambda: mia.example_loss(LOGITS, np.array([0, 1, 2, 3])), "out of range"),
        Bad("labels", lambda: mia.example_loss(LOGITS, LABELS + 0.5), "not integers"),
    ],
    "ppml_lab.attacks.membership.logit_confidence": [
        Bad("logits", lambda: mia.logit_confidence(np.zeros(4), LABELS), "1-D"),
        Bad("logits", lambda: mia.logit_confidence(np.full((4, 3), NAN), LABELS), "NaN"),
        Bad("labels", lambda: mia.logit_confidence(LOGITS, LABELS[:3]), "wrong length"),
        Bad("labels", lambda: mia.logit_confidence(LOGITS, -LABELS - 1), "negative"),
    ],
    "ppml_lab.attacks.membership.model_logits": [
        Bad("model", lambda: mia.model_logits("mlp", DATA.images), "not a model"),
        Bad("images", lambda: mia.model_logits(MODEL, EMPTY.images), "empty"),
        Bad("images", lambda: mia.model_logits(MODEL, np.zeros(5, dtype=np.float32)), "1-D"),
        *numbers("batch_size", lambda v: mia.model_logits(MODEL, DATA.images, batch_size=v)),
    ],
    "ppml_lab.attacks.membership.loss_attack": _attack(mia.loss_attack),
    "ppml_lab.attacks.membership.shadow_model_attack": _attack(mia.shadow_model_attack),
    "ppml_lab.attacks.membership.lira_offline": _attack(mia.lira_offline),
    "ppml_lab.attacks.membership.lira_online": _attack(mia.lira_online),
    "ppml_lab.attacks.membership.train_shadow_models": [
        Bad("recipe", lambda: mia.train_shadow_models("mlp", DATA, 2), "not a recipe"),
        Bad("data", lambda: mia.train_shadow_models(RECIPE, EMPTY, 2), "empty"),
        *numbers("n_shadows", lambda v: mia.train_shadow_models(RECIPE, DATA, v)),
        Bad("eligible", lambda: mia.train_shadow_models(RECIPE, DATA, 2, eligible=[0, 99]), "out of range"),
        Bad("eligible", lambda: mia.train_shadow_models(RECIPE, DATA, 2, eligible=[0.5, 1.5]), "not integers"),
        Bad("seed", lambda: mia.train_shadow_models(RECIPE, DATA, 2, seed=-1), "negative"),
    ],
    "ppml_lab.attacks.membership.train_target": [
        Bad("recipe", lambda: mia.train_target(None, DATA), "None"),
        Bad("data", lambda: mia.train_target(RECIPE, EMPTY), "empty"),
        Bad("eligible", lambda: mia.train_target(RECIPE, DATA, eligible=[3]), "one index"),
        Bad("seed", lambda: mia.train_target(RECIPE, DATA, seed="0"), "a string"),
    ],
    "ppml_lab.attacks.membership.run_attacks": [
        Bad("recipe", lambda: mia.run_attacks({"epochs": 1}), "a dict"),
        Bad("n_shadows", lambda: mia.run_attacks(RECIPE, 3), "below 4"),
        *numbers("n_shadows", lambda v: mia.run_attacks(RECIPE, v)),
        Bad("n_candidates", lambda: mia.run_attacks(RECIPE, n_candidates=10**6), "more than the pool"),
        Bad("n_candidates", lambda: mia.run_attacks(RECIPE, n_candidates=2.5), "not an integer"),
        Bad("seed", lambda: mia.run_attacks(RECIPE, seed=-1), "negative"),
    ],
    # --- attacks.metrics ---
    "ppml_lab.attacks.metrics.roc_curve": [
        Bad("scores", lambda: metrics.roc_curve(np.zeros((2, 2)), MEMBER), "2-D"),
        Bad("scores", lambda: metrics.roc_curve([0.1, NAN, 0.2, 0.3], MEMBER), "NaN"),
        Bad("scores", lambda: metrics.roc_curve("abcd", MEMBER), "a string"),
        Bad("is_member", lambda: metrics.roc_curve(SCORES, MEMBER[:3]), "wrong length"),
        Bad("is_member", lambda: metrics.roc_curve(SCORES, np.ones(4, bool)), "members only"),
        Bad("is_member", lambda: metrics.roc_curve(SCORES, [0, 1, 2, 1]), "not 0/1"),
    ],
    "ppml_lab.attacks.metrics.roc_auc": [
        Bad("scores", lambda: metrics.roc_auc([], []), "empty"),
        Bad("is_member", lambda: metrics.roc_auc(SCORES, np.zeros(4, bool)), "no members"),
    ],
    "ppml_lab.attacks.metrics.auc_confidence_interval": [
        Bad("auc", lambda: metrics.auc_confidence_interval(NAN, 10, 10), "NaN"),
        Bad("auc", lambda: metrics.auc_confidence_interval(1.5, 10, 10), "above 1"),
        *numbers("n_members", lambda v: metrics.auc_confidence_interval(0.6, v, 10)),
        *numbers("n_nonmembers", lambda v: metrics.auc_confidence_interval(0.6, 10, v)),
        Bad("confidence", lambda: metrics.auc_confidence_interval(0.6, 10, 10, 1.0), "1"),
    ],
    "ppml_lab.attacks.metrics.tpr_at_fpr": [
        *numbers("fpr", lambda v: metrics.tpr_at_fpr(SCORES, MEMBER, v), allow_zero=True),
        Bad("fpr", lambda: metrics.tpr_at_fpr(SCORES, MEMBER, 2.0), "above 1"),
        Bad("scores", lambda: metrics.tpr_at_fpr(SCORES[:2], MEMBER, 0.1), "wrong length"),
    ],
    "ppml_lab.attacks.metrics.balanced_accuracy": [
        Bad("predictions", lambda: metrics.balanced_accuracy(MEMBER[:3], MEMBER), "wrong length"),
        Bad("predictions", lambda: metrics.balanced_accuracy(SCORES, MEMBER), "not boolean"),
        Bad("is_member", lambda: metrics.balanced_accuracy(MEMBER, np.ones(4, bool)), "members only"),
    ],
    "ppml_lab.attacks.metrics.best_threshold": [
        Bad("is_member", lambda: metrics.best_threshold(SCORES, np.zeros(4, bool)), "no members"),
        Bad("scores", lambda: metrics.best_threshold([NAN] * 4, MEMBER), "NaN"),
    ],
    "ppml_lab.attacks.metrics.clopper_pearson": [
        *numbers("trials", lambda v: metrics.clopper_pearson(1, v)),
        *numbers("successes", lambda v: metrics.clopper_pearson(v, 10), allow_zero=True),
        Bad("successes", lambda: metrics.clopper_pearson(11, 10), "above trials"),
        Bad("successes", lambda: metrics.clopper_pearson(2.5, 10), "not an integer"),
        Bad("confidence", lambda: metrics.clopper_pearson(1, 10, 0.0), "zero"),
        Bad("confidence", lambda: metrics.clopper_pearson(1, 10, NAN), "NaN"),
    ],
    "ppml_lab.attacks.metrics.dp_roc_bound": [
        *numbers("epsilon", lambda v: metrics.dp_roc_bound(SCORES, v), allow_zero=True),
        Bad("delta", lambda: metrics.dp_roc_bound(SCORES, 1.0, -0.1), "negative"),
        Bad("fpr", lambda: metrics.dp_roc_bound([0.1, 1.5], 1.0), "above 1"),
        Bad("fpr", lambda: metrics.dp_roc_bound([NAN], 1.0), "NaN"),
    ],
    "ppml_lab.attacks.metrics.AttackMetrics": exempt("a frozen scorecard filled by attack_metrics, which checks "
                                                     "its inputs"),
    "ppml_lab.attacks.metrics.attack_metrics": [
        Bad("scores", lambda: metrics.attack_metrics([NAN] * 4, MEMBER), "NaN"),
        Bad("is_member", lambda: metrics.attack_metrics(SCORES, np.ones(4, bool)), "members only"),
        Bad("predictions", lambda: metrics.attack_metrics(SCORES, MEMBER, MEMBER[:2]), "wrong length"),
        Bad("confidence", lambda: metrics.attack_metrics(SCORES, MEMBER, confidence=1.5), "above 1"),
    ],
    "ppml_lab.attacks.metrics.metrics_table": [
        Bad("metrics", lambda: metrics.metrics_table({}), "empty"),
        Bad("metrics", lambda: metrics.metrics_table({"loss": 0.5}), "not AttackMetrics"),
        *numbers("digits", lambda v: metrics.metrics_table({"loss": ATTACK_METRICS}, v)),
    ],
    # --- audit ---
    "ppml_lab.audit.make_canaries": [
        Bad("data", lambda: audit.make_canaries(EMPTY, 2), "empty"),
        Bad("data", lambda: audit.make_canaries(DATA.images, 2), "an array, not a dataset"),
        *numbers("n_canaries", lambda v: audit.make_canaries(DATA, v)),
        Bad("n_canaries", lambda: audit.make_canaries(DATA, 10_000), "more than the dead pixels"),
        *numbers("n_classes", lambda v: audit.make_canaries(DATA, 2, n_classes=v)),
        Bad("rng", lambda: audit.make_canaries(DATA, 2, rng="seed"), "a string"),
    ],
    "ppml_lab.audit.canary_scores": [
        Bad("model", lambda: audit.canary_scores(None, DATA), "None"),
        Bad("canaries", lambda: audit.canary_scores(MODEL, EMPTY), "empty"),
    ],
    "ppml_lab.audit.one_run_p_value": [
        Bad("n_correct", lambda: audit.one_run_p_value(11, 10, 20, 1.0), "above n_guesses"),
        Bad("n_correct", lambda: audit.one_run_p_value(NAN, 10, 20, 1.0), "NaN"),
        Bad("n_guesses", lambda: audit.one_run_p_value(5, "10", 20, 1.0), "a string"),
        Bad("n_canaries", lambda: audit.one_run_p_value(5, 10, 8, 1.0), "fewer than the guesses"),
        *numbers("epsilon", lambda v: audit.one_run_p_value(5, 10, 20, v), allow_zero=True),
        Bad("delta", lambda: audit.one_run_p_value(5, 10, 20, 1.0, NAN), "NaN"),
    ],
    "ppml_lab.audit.epsilon_lower_bound": [
        Bad("n_correct", lambda: audit.epsilon_lower_bound(-1, 10, 20), "negative"),
        Bad("n_canaries", lambda: audit.epsilon_lower_bound(5, 10, 0), "zero"),
        Bad("delta", lambda: audit.epsilon_lower_bound(5, 10, 20, delta=1.5), "above 1"),
        Bad("confidence", lambda: audit.epsilon_lower_bound(5, 10, 20, confidence=1.0), "1"),
    ],
    "ppml_lab.audit.epsilon_lower_bound_from_rates": [
        *numbers("n_negatives", lambda v: audit.epsilon_lower_bound_from_rates(1, v, 1, 10)),
        *numbers("n_positives", lambda v: audit.epsilon_lower_bound_from_rates(1, 10, 1, v)),
        Bad("false_positives", lambda: audit.epsilon_lower_bound_from_rates(11, 10, 1, 10), "above n_negatives"),
        Bad("false_positives", lambda: audit.epsilon_lower_bound_from_rates(-1, 10, 1, 10), "negative"),
        Bad("false_negatives", lambda: audit.epsilon_lower_bound_from_rates(1, 10, 12, 10), "above n_positives"),
        Bad("delta", lambda: audit.epsilon_lower_bound_from_rates(1, 10, 1, 10, delta=-1.0), "negative"),
        Bad("confidence", lambda: audit.epsilon_lower_bound_from_rates(1, 10, 1, 10, confidence=0.0), "zero"),
    ],
    "ppml_lab.audit.epsilon_ceiling": [
        *numbers("n_canaries", lambda v: audit.epsilon_ceiling(v)),
        Bad("delta", lambda: audit.epsilon_ceiling(200, delta=NAN), "NaN"),
        Bad("confidence", lambda: audit.epsilon_ceiling(200, confidence=1.5), "above 1"),
        Bad("guess_fractions", lambda: audit.epsilon_ceiling(200, guess_fractions=()), "empty"),
        Bad("guess_fractions", lambda: audit.epsilon_ceiling(200, guess_fractions=(0.5, 1.5)), "above 1"),
        Bad("guess_fractions", lambda: audit.epsilon_ceiling(200, guess_fractions=0.5), "a number, not a list"),
    ],
    "ppml_lab.audit.AuditResult": exempt("a frozen record filled by audit, which checks its inputs"),
    "ppml_lab.audit.audit": [
        Bad("train", lambda: audit.audit(None, DATA, claimed_epsilon=1.0), "not a function"),
        Bad("data", lambda: audit.audit(lambda d: (MODEL, None), EMPTY, claimed_epsilon=1.0), "empty"),
        *numbers("claimed_epsilon", lambda v: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=v)),
        Bad("delta", lambda: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=1.0, delta=2.0), "above 1"),
        Bad("confidence", lambda: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=1.0, confidence=NAN),
            "NaN"),
        Bad("n_canaries", lambda: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=1.0, n_canaries=0),
            "zero"),
        Bad("guess_fractions", lambda: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=1.0,
                                                   guess_fractions=(0.0,)), "zero"),
        Bad("seed", lambda: audit.audit(lambda d: (MODEL, None), DATA, claimed_epsilon=1.0, seed=-1), "negative"),
    ],
    "ppml_lab.audit.audit_dpsgd": [
        *numbers("epsilon", lambda v: audit.audit_dpsgd(DATA, DATA, epsilon=v)),
        *numbers("noise_scale", lambda v: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, noise_scale=v)),
        Bad("data", lambda: audit.audit_dpsgd(EMPTY, DATA, epsilon=1.0), "empty"),
        Bad("test", lambda: audit.audit_dpsgd(DATA, EMPTY, epsilon=1.0), "empty"),
        Bad("model", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, model="resnet"), "unknown"),
        *numbers("epochs", lambda v: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, epochs=v)),
        *numbers("lr", lambda v: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, lr=v)),
        Bad("batch_size", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, batch_size=0), "zero"),
        Bad("max_grad_norm", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, max_grad_norm=-1.0), "negative"),
        Bad("accountant", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, accountant="gdp"), "unknown"),
        Bad("n_canaries", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, n_canaries=0), "zero"),
        Bad("seed", lambda: audit.audit_dpsgd(DATA, DATA, epsilon=1.0, seed=-1), "negative"),
    ],
    # --- exercises.membership ---
    "ppml_lab.exercises.membership.check_loss_scores": _exercise(exercises.check_loss_scores, "score"),
    "ppml_lab.exercises.membership.check_tpr_at_fpr": _exercise(exercises.check_tpr_at_fpr, "tpr_at"),
    "ppml_lab.exercises.membership.check_epsilon_from_rates": _exercise(exercises.check_epsilon_from_rates,
                                                                        "epsilon_from"),
    "ppml_lab.exercises.membership.check_lira_scores": _exercise(exercises.check_lira_scores, "lira_scores"),
}

assert isinstance(MODEL, nn.Module) and math.isfinite(SCORES.sum())

TABLE["ppml_lab.audit.epsilon_ceiling"] += [
    Bad("n_included", lambda: audit.epsilon_ceiling(200, n_included=201), "more than the canaries"),
    Bad("n_included", lambda: audit.epsilon_ceiling(200, n_included=-1), "negative"),
    Bad("n_included", lambda: audit.epsilon_ceiling(200, n_included=99.5), "not an integer"),
]

# --- lesson 03's plotting helpers, in ppml_lab/plots/lesson03.py ---
from ppml_lab import plots  # noqa: E402


def _axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plt.close(fig)
    return ax


TABLE.update({
    "ppml_lab.plots.plot_attack_comparison": [
        Bad("frame", lambda: plots.plot_attack_comparison(pd.DataFrame()), "empty"),
        Bad("frame", lambda: plots.plot_attack_comparison(FRAME[["setting", "attack"]]), "missing columns"),
        Bad("frame", lambda: plots.plot_attack_comparison({"setting": ["a"]}), "a dict"),
        Bad("attacks", lambda: plots.plot_attack_comparison(FRAME, ["LiRA"]), "unknown attack"),
    ],
    "ppml_lab.plots.plot_audit_bounds": [
        Bad("ax", lambda: plots.plot_audit_bounds(None, [1.0], [0.0]), "None"),
        Bad("claimed", lambda: plots.plot_audit_bounds(_axes(), [0.0, 1.0], [0.0, 0.0]), "zero on a log axis"),
        Bad("claimed", lambda: plots.plot_audit_bounds(_axes(), [NAN], [0.0]), "NaN"),
        Bad("empirical", lambda: plots.plot_audit_bounds(_axes(), [1.0, 2.0], [0.0]), "wrong length"),
        Bad("empirical", lambda: plots.plot_audit_bounds(_axes(), [1.0], [-1.0]), "negative"),
        Bad("ceiling", lambda: plots.plot_audit_bounds(_axes(), [1.0], [0.0], ceiling=NAN), "NaN"),
    ],
})
