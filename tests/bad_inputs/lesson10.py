"""Bad inputs for lesson 10: unlearning (exact, SISA, approximate, verification), attacks.inversion,
attacks.label_only, exercises.unlearning and the lesson's plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ppml_lab import plots, unlearning
from ppml_lab.attacks import inversion
from ppml_lab.attacks import label_only as lo
from ppml_lab.attacks.membership import ShadowModels, TrainingRecipe
from ppml_lab.datasets import ImageDataset
from ppml_lab.exercises import unlearning as exu
from ppml_lab.models import build_model

from . import NAN, Bad, exempt, numbers

_rng = np.random.default_rng(0)
DATA = ImageDataset(_rng.random((24, 1, 28, 28), dtype=np.float32), np.arange(24) % 3)
RECIPE = TrainingRecipe(model="logistic", epochs=1, batch_size=8)
MODEL = build_model("logistic", seed=0)
SHADOWS = ShadowModels([build_model("logistic", seed=s) for s in range(3)], DATA,
                       np.tile(np.arange(24) % 2 == 0, (3, 1)))


def sisa() -> unlearning.SISAModel:
    return unlearning.train_sisa(DATA, 2, 2, model="logistic", epochs=1, batch_size=4)


SISA = sisa()
GRID = pd.DataFrame([{"shards": 1, "slices": 1, "accuracy (vote)": 0.9, "speed-up (samples)": 1.0,
                      "speed-up (time)": 1.0, "expected speed-up": 1.0}])
SUMMARY = pd.DataFrame({"AUC": [0.5], "AUC low": [0.4], "AUC high": [0.6]}, index=["exact"])


def _deleted() -> list[bool]:
    return SISA.deleted.tolist()


TABLE = {
    "ppml_lab.unlearning.Unlearned": exempt("a frozen record of a deletion's result, built by the lab's functions"),
    "ppml_lab.unlearning.retrain_without": [
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, [24]), "not in the training set"),
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, [-1]), "negative"),
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, [1, 1]), "repeated"),
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, []), "empty"),
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, [1.5]), "a float"),
        Bad("record_ids", lambda: unlearning.retrain_without(RECIPE, DATA, list(range(24))), "every record"),
        Bad("recipe", lambda: unlearning.retrain_without("sgd", DATA, [1]), "a string"),
        Bad("data", lambda: unlearning.retrain_without(RECIPE, DATA.images, [1]), "an array"),
        *numbers("seed", lambda v: unlearning.retrain_without(RECIPE, DATA, [1], seed=v), allow_zero=True),
    ],
    "ppml_lab.unlearning.sisa_assignment": [
        Bad("n_shards", lambda: unlearning.sisa_assignment(10, 0, 1), "zero shards"),
        Bad("n_shards", lambda: unlearning.sisa_assignment(10, 11, 1), "more shards than records"),
        Bad("n_slices", lambda: unlearning.sisa_assignment(10, 5, 3), "more slices than records allow"),
        *numbers("n_records", lambda v: unlearning.sisa_assignment(v, 1, 1)),
        Bad("n_slices", lambda: unlearning.sisa_assignment(10, 2, 1.5), "a float"),
    ],
    "ppml_lab.unlearning.train_sisa": [
        Bad("n_shards", lambda: unlearning.train_sisa(DATA, 0), "zero shards"),
        Bad("n_shards", lambda: unlearning.train_sisa(DATA, 25), "more shards than records"),
        Bad("n_slices", lambda: unlearning.train_sisa(DATA, 6, 5), "empty slices"),
        Bad("model", lambda: unlearning.train_sisa(DATA, 2, model="resnet"), "unknown model"),
        Bad("momentum", lambda: unlearning.train_sisa(DATA, 2, momentum=1.0), "1"),
        Bad("data", lambda: unlearning.train_sisa(None, 2), "None"),
        *numbers("epochs", lambda v: unlearning.train_sisa(DATA, 2, epochs=v)),
        *numbers("lr", lambda v: unlearning.train_sisa(DATA, 2, lr=v)),
    ],
    "ppml_lab.unlearning.SISAModel": [
        Bad("record_ids", lambda: SISA.delete([24]), "not in the training set", state=_deleted),
        Bad("record_ids", lambda: SISA.delete([0, 0]), "repeated", state=_deleted),
        Bad("record_ids", lambda: SISA.delete(np.flatnonzero(SISA.assignment[:, 0] == 0)), "a whole shard",
            state=_deleted),
        Bad("record_id", lambda: SISA.locate(99), "not in the training set"),
        Bad("aggregation", lambda: SISA.predict(DATA.images, "median"), "unknown aggregation"),
        Bad("data", lambda: SISA.accuracy(DATA.images), "an array"),
    ],
    "ppml_lab.unlearning.finetune_unlearn": [
        Bad("retained", lambda: unlearning.finetune_unlearn(MODEL, DATA.images), "an array"),
        Bad("model", lambda: unlearning.finetune_unlearn("model", DATA), "a string"),
        Bad("momentum", lambda: unlearning.finetune_unlearn(MODEL, DATA, momentum=1.5), "above 1"),
        *numbers("epochs", lambda v: unlearning.finetune_unlearn(MODEL, DATA, epochs=v)),
        *numbers("lr", lambda v: unlearning.finetune_unlearn(MODEL, DATA, lr=v)),
    ],
    "ppml_lab.unlearning.gradient_ascent_unlearn": [
        Bad("forget", lambda: unlearning.gradient_ascent_unlearn(MODEL, None), "None"),
        Bad("model", lambda: unlearning.gradient_ascent_unlearn(None, DATA), "None"),
        *numbers("lr", lambda v: unlearning.gradient_ascent_unlearn(MODEL, DATA, lr=v)),
        *numbers("batch_size", lambda v: unlearning.gradient_ascent_unlearn(MODEL, DATA, batch_size=v)),
    ],
    "ppml_lab.unlearning.expected_speedup": [
        *numbers("n_shards", lambda v: unlearning.expected_speedup(v, 2)),
        *numbers("n_slices", lambda v: unlearning.expected_speedup(2, v)),
    ],
    "ppml_lab.unlearning.DeletionStream": exempt("a frozen record of measured costs, built by measure_deletion_stream"),
    "ppml_lab.unlearning.measure_deletion_stream": [
        Bad("sisa", lambda: unlearning.measure_deletion_stream(MODEL, 1), "a plain model"),
        Bad("n_deletions", lambda: unlearning.measure_deletion_stream(SISA, 0), "zero", state=_deleted),
        Bad("n_deletions", lambda: unlearning.measure_deletion_stream(SISA, 100), "more than the records",
            state=_deleted),
    ],
    "ppml_lab.unlearning.sisa_grid": [
        Bad("shards", lambda: unlearning.sisa_grid(DATA, DATA, (), (1,)), "empty"),
        Bad("shards", lambda: unlearning.sisa_grid(DATA, DATA, (0,), (1,)), "zero"),
        Bad("slices", lambda: unlearning.sisa_grid(DATA, DATA, (1,), [1.5]), "a float"),
        Bad("seeds", lambda: unlearning.sisa_grid(DATA, DATA, (1,), (1,), seeds=(-1,)), "negative"),
        Bad("n_deletions", lambda: unlearning.sisa_grid(DATA, DATA, (1,), (1,), n_deletions=0), "zero"),
        Bad("test", lambda: unlearning.sisa_grid(DATA, None, (1,), (1,)), "None"),
        Bad("shards x slices + n_deletions", lambda: unlearning.sisa_grid(DATA, DATA, (20,), (2,)), "too many"),
    ],
    "ppml_lab.unlearning.forget_set_attack": [
        Bad("forget", lambda: unlearning.forget_set_attack(MODEL, None, DATA, SHADOWS), "None"),
        Bad("never_seen", lambda: unlearning.forget_set_attack(MODEL, DATA, DATA.images, SHADOWS), "an array"),
        Bad("shadows", lambda: unlearning.forget_set_attack(MODEL, DATA, DATA, [MODEL]), "a list"),
        Bad("attack", lambda: unlearning.forget_set_attack(MODEL, DATA, DATA, SHADOWS, "LiRA turbo"), "unknown"),
        Bad("model", lambda: unlearning.forget_set_attack(None, DATA, DATA, SHADOWS), "None"),
    ],
    "ppml_lab.unlearning.UnlearningExperiment": exempt("a frozen record of one seed's results"),
    "ppml_lab.unlearning.run_unlearning_experiment": [
        Bad("recipe", lambda: unlearning.run_unlearning_experiment("mlp"), "a string"),
        Bad("recipe", lambda: unlearning.run_unlearning_experiment(TrainingRecipe(epsilon=1.0)), "DP-SGD"),
        Bad("n_candidates", lambda: unlearning.run_unlearning_experiment(RECIPE, n_candidates=5000), "above 4000"),
        Bad("n_forget", lambda: unlearning.run_unlearning_experiment(RECIPE, n_forget=600), "above a quarter"),
        Bad("n_shadows", lambda: unlearning.run_unlearning_experiment(RECIPE, n_shadows=2), "below 3"),
        Bad("n_shards", lambda: unlearning.run_unlearning_experiment(RECIPE, n_shards=0), "zero shards"),
        Bad("n_shards x n_slices", lambda: unlearning.run_unlearning_experiment(RECIPE, n_shards=500), "too many"),
        Bad("ascent_lrs", lambda: unlearning.run_unlearning_experiment(RECIPE, ascent_lrs=(0.1, NAN)), "NaN"),
        Bad("ascent_lrs", lambda: unlearning.run_unlearning_experiment(RECIPE, ascent_lrs=0.1), "not a tuple"),
        *numbers("seed", lambda v: unlearning.run_unlearning_experiment(RECIPE, seed=v), allow_zero=True),
    ],
    "ppml_lab.unlearning.summarise_seeds": [
        Bad("experiments", lambda: unlearning.summarise_seeds([]), "empty"),
        Bad("experiments", lambda: unlearning.summarise_seeds([unlearning.UnlearningExperiment(0, SUMMARY)]),
            "one seed"),
        Bad("columns", lambda: unlearning.summarise_seeds([unlearning.UnlearningExperiment(0, SUMMARY.reset_index(
            names="model"))] * 2, columns=("nope",)), "unknown column"),
    ],
    "ppml_lab.unlearning.unlearning_setup": [
        Bad("recipe", lambda: unlearning.unlearning_setup("mlp", 100, 4, 0), "a string"),
        Bad("n_shadows", lambda: unlearning.unlearning_setup(RECIPE, 100, 0, 0), "zero"),
        Bad("seed", lambda: unlearning.unlearning_setup(RECIPE, 100, 4, -1), "negative"),
    ],
    # ------------------------------------------------------------------ attacks.inversion
    "ppml_lab.attacks.inversion.invert_class": [
        Bad("label", lambda: inversion.invert_class(MODEL, 10, steps=1), "no such class"),
        Bad("label", lambda: inversion.invert_class(MODEL, -1), "negative"),
        Bad("model", lambda: inversion.invert_class("model", 1), "a string"),
        Bad("shape", lambda: inversion.invert_class(MODEL, 1, shape=[28, 28]), "a list"),
        *numbers("steps", lambda v: inversion.invert_class(MODEL, 1, steps=v)),
        *numbers("lr", lambda v: inversion.invert_class(MODEL, 1, lr=v)),
    ],
    "ppml_lab.attacks.inversion.InversionResult": exempt("a frozen record of inverted images"),
    "ppml_lab.attacks.inversion.invert_classes": [
        Bad("labels", lambda: inversion.invert_classes(MODEL, []), "empty"),
        Bad("labels", lambda: inversion.invert_classes(MODEL, [0.5]), "a float"),
        Bad("model", lambda: inversion.invert_classes(None, [0]), "None"),
    ],
    "ppml_lab.attacks.inversion.template_similarity": [
        Bad("labels", lambda: inversion.template_similarity(DATA.images[:2], DATA, np.array([0])), "too few"),
        Bad("labels", lambda: inversion.template_similarity(DATA.images[:1], DATA, np.array([7])), "absent label"),
        Bad("images", lambda: inversion.template_similarity(np.full((1, 28, 28), NAN), DATA, np.array([0])), "NaN"),
        Bad("data", lambda: inversion.template_similarity(DATA.images[:1], None, np.array([0])), "None"),
    ],
    "ppml_lab.attacks.inversion.inversion_targets": [
        Bad("epsilon", lambda: inversion.inversion_targets(DATA, DATA, 0), "zero"),
        Bad("epsilon", lambda: inversion.inversion_targets(DATA, DATA, NAN), "NaN"),
        Bad("train", lambda: inversion.inversion_targets(None, DATA, 1.0), "None"),
        *numbers("epochs", lambda v: inversion.inversion_targets(DATA, DATA, 1.0, epochs=v)),
    ],
    # ------------------------------------------------------------------ attacks.label_only
    "ppml_lab.attacks.label_only.api_response": [
        Bad("output", lambda: lo.api_response(MODEL, DATA.images, "logits"), "unknown format"),
        Bad("model", lambda: lo.api_response(None, DATA.images, "label only"), "None"),
    ],
    "ppml_lab.attacks.label_only.APIView": [
        Bad("output", lambda: lo.APIView(MODEL, "label only"), "labels carry no confidence"),
        Bad("model", lambda: lo.APIView(torch.zeros(3), "probabilities"), "a tensor"),
    ],
    "ppml_lab.attacks.label_only.label_only_scores": [
        Bad("candidates", lambda: lo.label_only_scores(MODEL, DATA.images), "an array"),
        *numbers("noise_std", lambda v: lo.label_only_scores(MODEL, DATA, noise_std=v)),
        *numbers("n_queries", lambda v: lo.label_only_scores(MODEL, DATA, n_queries=v)),
    ],
    "ppml_lab.attacks.label_only.choose_noise_std": [
        Bad("noise_stds", lambda: lo.choose_noise_std(SHADOWS, ()), "empty"),
        Bad("noise_stds", lambda: lo.choose_noise_std(SHADOWS, (0.1, -1.0)), "negative"),
        Bad("shadows", lambda: lo.choose_noise_std([MODEL], (0.1,)), "a list"),
    ],
    "ppml_lab.attacks.label_only.api_leakage": [
        Bad("is_member", lambda: lo.api_leakage(MODEL, DATA, np.ones(3, bool), SHADOWS), "wrong length"),
        Bad("is_member", lambda: lo.api_leakage(MODEL, DATA, np.arange(24), SHADOWS), "integers"),
        Bad("shadows", lambda: lo.api_leakage(MODEL, DATA, np.arange(24) % 2 == 0, None), "None"),
        Bad("seed", lambda: lo.api_leakage(MODEL, DATA, np.arange(24) % 2 == 0, SHADOWS, seed=-1), "negative"),
    ],
    # ------------------------------------------------------------------ exercises and plots
    "ppml_lab.exercises.unlearning.check_retrained_stages": [
        Bad("retrained", lambda: exu.check_retrained_stages("answer"), "not a function"),
    ],
    "ppml_lab.exercises.unlearning.check_expected_speedup": [
        Bad("expected_speedup", lambda: exu.check_expected_speedup(3.0), "a number"),
    ],
    "ppml_lab.plots.plot_forget_set_attack": [
        Bad("summary", lambda: plots.plot_forget_set_attack({"AUC": 0.5}), "a dict"),
    ],
    "ppml_lab.plots.plot_sisa_tradeoff": [
        Bad("grid", lambda: plots.plot_sisa_tradeoff(SUMMARY, 1, 1), "wrong columns"),
        Bad("shards", lambda: plots.plot_sisa_tradeoff(GRID, 7, 1), "not in the grid"),
    ],
}
