"""Lesson 11 (the capstone): bad inputs for ``capstone``, ``compliance``, the lesson's plots and its exercise checks.

The pipeline's functions refuse a wrong task, config, seed or epsilon before any training starts.
"""

from __future__ import annotations

import pandas as pd

from ppml_lab import capstone, compliance, plots
from ppml_lab.exercises import capstone as ex
from ppml_lab.models import build_model

from . import NAN, Bad, exempt, numbers

TASK = capstone.make_task(100, 100)
CONFIG = capstone.CapstoneConfig(n_train=100, n_heldout=100, batch_size=32, seeds=(0,))
LOGISTIC = build_model("logistic", seed=0, n_features=7, n_classes=2)
MLP = build_model("mlp", seed=0, n_features=7, n_classes=2, hidden=4)
NO_COLUMNS = pd.DataFrame({"age": [40]})
OVERHEADS = capstone.Overheads((0.8, 0.8), {e: (0.79, 0.8) for e in capstone.GUIDE_EPSILONS}, (0.8, 0.8),
                               (0.7, 0.7), 8.0, 1700.0, 0.01, 16, {"keygen": 1.0, "encrypt": 10.0, "add": 1e4,
                                                                   "decrypt": 30.0}, 2048)
MEASURED = pd.DataFrame({"technique": ["a", "b"], "threat": ["t", "t"], "utility ×": [1.0, 0.9],
                         "attack after": [0.5, 0.1]})


def _task_cases(function) -> list[Bad]:  # noqa: ANN001
    return [Bad("task", lambda: function(None), "None"), Bad("task", lambda: function("task"), "a string")]


def _seed_cases(function) -> list[Bad]:  # noqa: ANN001
    return [Bad("seed", lambda: function(-1), "negative"), Bad("seed", lambda: function(0.5), "not an integer")]


def _config(**changes) -> capstone.CapstoneConfig:  # noqa: ANN003
    return capstone.CapstoneConfig(**changes)


def _good_split(total, weights):  # noqa: ANN001, ANN202
    return None


TABLE = {
    # ------------------------------------------------------------------ capstone: the scenario
    "ppml_lab.capstone.encode_features": [Bad("table", lambda: capstone.encode_features(None), "None"),
                                          Bad("table", lambda: capstone.encode_features(NO_COLUMNS), "columns")],
    "ppml_lab.capstone.chronic_label": [Bad("table", lambda: capstone.chronic_label([1, 2]), "a list"),
                                        Bad("table", lambda: capstone.chronic_label(NO_COLUMNS), "columns")],
    "ppml_lab.capstone.make_task": [
        *numbers("n_train", lambda v: capstone.make_task(v, 100)),
        Bad("n_train", lambda: capstone.make_task(19_000, 2000), "more rows than the table"),
        Bad("n_heldout", lambda: capstone.make_task(100, 50), "below 100"),
        Bad("seed", lambda: capstone.make_task(100, 100, seed=-1), "negative"),
        Bad("table", lambda: capstone.make_task(100, 100, table="hospital.csv"), "a file name"),
    ],
    "ppml_lab.capstone.HospitalTask": exempt("a frozen record built by make_task, which checks its inputs"),
    "ppml_lab.capstone.CapstoneConfig": [
        *numbers("epochs", lambda v: _config(epochs=v)),
        *numbers("lr", lambda v: _config(lr=v)),
        Bad("epsilon", lambda: _config(epsilon=0.0), "zero"),
        Bad("dp_fedavg_epsilon", lambda: _config(dp_fedavg_epsilon=NAN), "NaN"),
        Bad("delta", lambda: _config(delta=0.0), "zero: DP-SGD needs delta > 0"),
        Bad("seeds", lambda: _config(seeds=()), "empty"),
        Bad("seeds", lambda: _config(seeds=[0, 1]), "a list"),
        Bad("seeds", lambda: _config(seeds=(0, -1)), "a negative seed"),
        Bad("batch_size", lambda: _config(n_train=100, batch_size=200), "larger than the training set"),
        Bad("key_bits", lambda: _config(key_bits=8), "too small"),
    ],
    "ppml_lab.capstone.StageResult": exempt("a frozen record built by run_pipeline from checked inputs"),
    "ppml_lab.capstone.CapstoneResult": exempt("a frozen record built by run_pipeline from checked inputs"),
    "ppml_lab.capstone.Overheads": exempt("a frozen record built by measure_overheads from checked inputs"),
    # ------------------------------------------------------------------ capstone: the stages
    "ppml_lab.capstone.membership_auc": [
        Bad("model", lambda: capstone.membership_auc("model", TASK, CONFIG), "not a module"),
        *_task_cases(lambda task: capstone.membership_auc(LOGISTIC, task, CONFIG)),
        Bad("config", lambda: capstone.membership_auc(LOGISTIC, TASK, {"epochs": 1}), "a dict"),
        *_seed_cases(lambda seed: capstone.membership_auc(LOGISTIC, TASK, CONFIG, seed)),
    ],
    "ppml_lab.capstone.train_central": [
        *_task_cases(lambda task: capstone.train_central(task, CONFIG)),
        Bad("config", lambda: capstone.train_central(TASK, "config"), "a string"),
        Bad("epsilon", lambda: capstone.train_central(TASK, CONFIG, -1.0), "negative"),
        Bad("epsilon", lambda: capstone.train_central(TASK, CONFIG, NAN), "NaN"),
        *_seed_cases(lambda seed: capstone.train_central(TASK, CONFIG, None, seed)),
    ],
    "ppml_lab.capstone.train_federated": [
        *_task_cases(lambda task: capstone.train_federated(task, CONFIG)),
        Bad("private", lambda: capstone.train_federated(TASK, CONFIG, "yes"), "a string"),
        *_seed_cases(lambda seed: capstone.train_federated(TASK, CONFIG, False, seed)),
    ],
    "ppml_lab.capstone.train_secure_federated": [
        *_task_cases(lambda task: capstone.train_secure_federated(task, CONFIG)),
        Bad("config", lambda: capstone.train_secure_federated(TASK, 3), "a number"),
        *_seed_cases(lambda seed: capstone.train_secure_federated(TASK, CONFIG, seed)),
    ],
    "ppml_lab.capstone.serve_encrypted": [
        Bad("model", lambda: capstone.serve_encrypted(MLP, TASK, CONFIG), "not a logistic regression"),
        *_task_cases(lambda task: capstone.serve_encrypted(LOGISTIC, task, CONFIG)),
    ],
    "ppml_lab.capstone.linear_model_of": [
        Bad("model", lambda: capstone.linear_model_of("model"), "a string"),
        Bad("model", lambda: capstone.linear_model_of(MLP), "two linear layers"),
    ],
    # ------------------------------------------------------------------ capstone: pipeline, table, guide
    "ppml_lab.capstone.run_pipeline": [Bad("config", lambda: capstone.run_pipeline("fast"), "a string"),
                                       Bad("progress", lambda: capstone.run_pipeline(CONFIG, "no"), "a string")],
    "ppml_lab.capstone.measured_table": [Bad("result", lambda: capstone.measured_table(None), "None"),
                                         Bad("result", lambda: capstone.measured_table(MEASURED), "a DataFrame")],
    "ppml_lab.capstone.display_table": [Bad("table", lambda: capstone.display_table(NO_COLUMNS), "columns"),
                                        Bad("digits", lambda: capstone.display_table(MEASURED, 9), "too many"),
                                        Bad("digits", lambda: capstone.display_table(MEASURED, 2.5), "a float")],
    "ppml_lab.capstone.measure_overheads": [
        Bad("config", lambda: capstone.measure_overheads("config"), "a string"),
        Bad("paillier_ops", lambda: capstone.measure_overheads(CONFIG, 0), "zero"),
    ],
    "ppml_lab.capstone.decision_guide": [Bad("overheads", lambda: capstone.decision_guide(None), "None"),
                                         Bad("timings", lambda: capstone.decision_guide(OVERHEADS, "no"), "a string")],
    "ppml_lab.capstone.render_decision_guide": [
        Bad("overheads", lambda: capstone.render_decision_guide({}), "a dict"),
        Bad("prefix", lambda: capstone.render_decision_guide(OVERHEADS, prefix=3), "a number"),
    ],
    "ppml_lab.capstone.budget_split": [
        *numbers("training_epsilon", lambda v: capstone.budget_split(v, 10.0, CONFIG)),
        Bad("training_epsilon", lambda: capstone.budget_split(10.0, 10.0, CONFIG), "the whole budget"),
        Bad("total_epsilon", lambda: capstone.budget_split(1.0, -10.0, CONFIG), "negative"),
        Bad("config", lambda: capstone.budget_split(1.0, 10.0, "config"), "a string"),
    ],
    # ------------------------------------------------------------------ compliance
    "ppml_lab.compliance.load_map": exempt("no parameters (reads the shipped compliance.csv)"),
    "ppml_lab.compliance.heading_anchor": [Bad("heading", lambda: compliance.heading_anchor(3), "a number"),
                                           Bad("style", lambda: compliance.heading_anchor("A b", "gitlab"), "unknown")],
    "ppml_lab.compliance.notebook_anchors": [
        Bad("path", lambda: compliance.notebook_anchors(3), "a number"),
        Bad("path", lambda: compliance.notebook_anchors("notebooks/99_missing.ipynb"), "missing"),
        Bad("style", lambda: compliance.notebook_anchors("x.ipynb", "html"), "unknown"),
    ],
    "ppml_lab.compliance.technique_link": [
        Bad("row", lambda: compliance.technique_link({"technique": "x"}), "a dict"),
        Bad("prefix", lambda: compliance.technique_link(compliance.load_map().iloc[0], prefix=None), "None"),
    ],
    "ppml_lab.compliance.broken_links": [
        Bad("notebooks_dir", lambda: compliance.broken_links(3), "a number"),
        Bad("notebooks_dir", lambda: compliance.broken_links("no/such/folder"), "missing"),
        Bad("skip", lambda: compliance.broken_links("notebooks", skip="08_pii.ipynb"), "a string"),
    ],
    "ppml_lab.compliance.render_map": [Bad("prefix", lambda: compliance.render_map(prefix=3), "a number")],
    "ppml_lab.compliance.render_readme_block": [Bad("prefix", lambda: compliance.render_readme_block(None), "None")],
    "ppml_lab.compliance.readme_block": [Bad("readme_text", lambda: compliance.readme_block(b"x"), "bytes")],
    # ------------------------------------------------------------------ plots
    "ppml_lab.plots.plot_cost_protection": [Bad("table", lambda: plots.plot_cost_protection(None), "None"),
                                            Bad("table", lambda: plots.plot_cost_protection(NO_COLUMNS), "columns")],
    "ppml_lab.plots.plot_budget_split": [Bad("shares", lambda: plots.plot_budget_split({}, 10.0), "empty"),
                                         Bad("shares", lambda: plots.plot_budget_split({"a": -1.0}, 10.0),
                                             "negative")],
    # ------------------------------------------------------------------ exercises
    "ppml_lab.exercises.capstone.check_split_budget": [
        Bad("function", lambda: ex.check_split_budget("split_budget"), "a string")],
    "ppml_lab.exercises.capstone.check_best_defence": [
        Bad("function", lambda: ex.check_best_defence(3), "a number"),
        Bad("table", lambda: ex.check_best_defence(_good_split, table="table"), "a string"),
    ],
    "ppml_lab.exercises.capstone.best_defence_reference": [
        Bad("table", lambda: ex.best_defence_reference(None, "t", 0.5), "None"),
        Bad("threat", lambda: ex.best_defence_reference(MEASURED, 3, 0.5), "a number"),
        Bad("min_utility", lambda: ex.best_defence_reference(MEASURED, "t", NAN), "NaN"),
    ],
}

TABLE.update({
    "ppml_lab.capstone.redact_notes": exempt("no parameters (lesson 08's shipped corpus and analyzer)"),
    "ppml_lab.capstone.release_counts": [
        *_task_cases(lambda task: capstone.release_counts(task)),
        Bad("k", lambda: capstone.release_counts(TASK, k=1), "k = 1 is no anonymity"),
        *numbers("epsilon", lambda v: capstone.release_counts(TASK, epsilon=v)),
        *_seed_cases(lambda seed: capstone.release_counts(TASK, seed=seed)),
    ],
    "ppml_lab.capstone.count_queries": [Bad("rows", lambda: capstone.count_queries(None), "None"),
                                        Bad("rows", lambda: capstone.count_queries(NO_COLUMNS), "columns")],
})

TABLE.update({
    "ppml_lab.capstone.pad_features": [
        Bad("data", lambda: capstone.pad_features("data"), "a string"),
        Bad("width", lambda: capstone.pad_features(TASK.train, 0), "zero"),
        Bad("data", lambda: capstone.pad_features(TASK.train, 3), "wider than width"),
    ],
    "ppml_lab.capstone.honour_deletion": [
        *_task_cases(lambda task: capstone.honour_deletion(task, CONFIG)),
        Bad("config", lambda: capstone.honour_deletion(TASK, "config"), "a string"),
        Bad("n_forget", lambda: capstone.honour_deletion(TASK, CONFIG, 0), "zero"),
        Bad("hospital", lambda: capstone.honour_deletion(TASK, CONFIG, 1, hospital=3), "no fourth hospital"),
        Bad("hospital", lambda: capstone.honour_deletion(TASK, CONFIG, 1, hospital=-1), "negative"),
        *_seed_cases(lambda seed: capstone.honour_deletion(TASK, CONFIG, 1, seed=seed)),
    ],
})
