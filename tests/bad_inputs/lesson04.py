"""Bad inputs for lesson 04: ``ppml_lab.pate``, ``ppml_lab.attacks.pate_averaging`` and ``ppml_lab.exercises.pate``."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from bad_inputs import INF, NAN, Bad, numbers
from ppml_lab import datasets, pate
from ppml_lab.accounting import PrivacyLedger
from ppml_lab.attacks import pate_averaging as averaging
from ppml_lab.exercises import pate as exercises

P = "ppml_lab.pate."
R = "ppml_lab.accounting.pate."  # PATE's RDP bounds live beside the other accountants
A = "ppml_lab.attacks.pate_averaging."
VOTES = np.array([[6.0, 3.0, 1.0], [2.0, 7.0, 1.0]])
ROW = VOTES[0]


@lru_cache(maxsize=1)
def split() -> tuple[datasets.ImageDataset, datasets.ImageDataset, datasets.ImageDataset]:
    """40 private, 20 public and 20 test images: enough to be refused, never trained on."""
    data = datasets.load_mnist5k()
    take = lambda start, n: datasets.ImageDataset(data.images[start:start + n], data.labels[start:start + n])  # noqa: E731
    return take(0, 40), take(1000, 20), take(2000, 20)


def aggregation(**changes) -> pate.Aggregation:
    fields = dict(labels=np.array([0, 1]), answered=np.array([True, True]), mechanism="gnmax", noise_scale=2.0)
    return pate.Aggregation(**{**fields, **changes})


def report(**changes) -> pate.PrivacyReport:
    fields = dict(epsilon_data_independent=2.0, epsilon_data_dependent=1.0, delta=1e-5, n_queries=2, n_answered=2,
                  mechanism="gnmax", order_data_independent=8.0, order_data_dependent=8.0)
    return pate.PrivacyReport(**{**fields, **changes})


def run(**changes):
    private, public, test = split()
    kwargs = dict(n_teachers=2, noise_scale=1.0, n_queries=5, use_cache=False)
    return pate.run_pate(*changes.pop("data", (private, public, test)), **{**kwargs, **changes})


def grid(**changes):
    private, public, test = split()
    kwargs = dict(n_teachers=[2], noise_scales=[1.0], n_queries=[5], use_cache=False)
    return pate.privacy_utility_grid(*changes.pop("data", (private, public, test)), **{**kwargs, **changes})


def compare(**changes):
    private, public, test = split()
    kwargs = dict(seeds=[0], n_teachers=2, noise_scale=1.0, n_queries=5, dpsgd_batch_size=8, use_cache=False)
    return pate.compare_with_dpsgd(*changes.pop("data", (private, public, test)), **{**kwargs, **changes})


def student(**changes):
    _, public, test = split()
    kwargs = dict(public_images=public.images[:4], labels=np.array([0, 1, 2, 3]), test=test)
    return pate.train_student(**{**kwargs, **changes})


def budgeted(**changes):
    kwargs = dict(votes=VOTES, noise_scale=2.0, ledger=PrivacyLedger(5.0, 1e-4), delta_per_answer=1e-6)
    return pate.BudgetedGNMax(**{**kwargs, **changes})


BUDGETED = budgeted()


def ensemble(**changes):
    fields = dict(models=[torch.nn.Linear(2, 2)], partitions=[np.arange(3)], model_name="logistic")
    return pate.TeacherEnsemble(**{**fields, **changes})


def aggregator_cases(function) -> list[Bad]:
    return [
        *numbers("noise_scale", lambda v: function(VOTES, v)),
        Bad("votes", lambda: function(np.array([[1.0, NAN]]), 1.0), "NaN count"),
        Bad("votes", lambda: function(np.array([[1.0, -2.0]]), 1.0), "negative count"),
        Bad("votes", lambda: function(np.zeros((0, 3)), 1.0), "empty"),
        Bad("votes", lambda: function(np.ones((2, 2, 2)), 1.0), "wrong shape"),
        Bad("votes", lambda: function("votes", 1.0), "a string"),
        Bad("rng", lambda: function(VOTES, 1.0, "seed"), "a string"),
    ]


def histogram_cases(function, *extra) -> list[Bad]:
    return [
        Bad("votes", lambda: function(np.array([1.0, NAN]), *extra), "NaN"),
        Bad("votes", lambda: function(np.array([5.0]), *extra), "one class"),
        Bad("votes", lambda: function(np.array([5.0, -1.0]), *extra), "negative"),
        Bad("votes", lambda: function(VOTES, *extra), "two histograms"),
        Bad("votes", lambda: function([], *extra), "empty"),
    ]


def orders_cases(function) -> list[Bad]:
    return [Bad("orders", lambda: function(np.array([0.5, 2.0])), "order <= 1"),
            Bad("orders", lambda: function(np.array([])), "empty"),
            Bad("orders", lambda: function(np.array([2.0, NAN])), "NaN")]



def _pate_result(accuracy: float, privacy: object = None) -> object:
    privacy = report() if privacy is None else privacy
    return pate.PATEResult(None, accuracy, 2.0, 1e-5, 0.0, privacy, aggregation(), VOTES, 0.5, 2)


TABLE = {
    P + "TeacherEnsemble": [
        Bad("models", lambda: ensemble(models=[]), "empty"),
        Bad("models", lambda: ensemble(models=["not a model"]), "not modules"),
        Bad("partitions", lambda: ensemble(partitions=[]), "one fewer than the models"),
        *numbers("n_classes", lambda v: ensemble(n_classes=v)),
        Bad("n_classes", lambda: ensemble(n_classes=1), "one class"),
    ],
    P + "Aggregation": [
        Bad("labels", lambda: aggregation(labels=np.zeros((2, 2))), "wrong shape"),
        Bad("answered", lambda: aggregation(answered=np.array([True])), "wrong length"),
        Bad("mechanism", lambda: aggregation(mechanism="median"), "unknown"),
        *numbers("noise_scale", lambda v: aggregation(noise_scale=v)),
    ],
    P + "PrivacyReport": [
        *numbers("epsilon_data_dependent", lambda v: report(epsilon_data_dependent=v), allow_zero=True),
        Bad("delta", lambda: report(delta=1.5), "above 1"),
        Bad("n_answered", lambda: report(n_answered=3), "more than asked"),
        Bad("n_queries", lambda: report(n_queries=0), "zero"),
    ],
    P + "PATEResult": [
        Bad("accuracy", lambda: _pate_result(1.5), "above 1"),
        Bad("accuracy", lambda: _pate_result(NAN), "NaN"),
        Bad("privacy", lambda: _pate_result(0.5, {"epsilon": 1.0}), "a dict"),
    ],
    P + "partition_indices": [
        *numbers("n_examples", lambda v: pate.partition_indices(v, 2)),
        *numbers("n_teachers", lambda v: pate.partition_indices(10, v)),
        Bad("n_teachers", lambda: pate.partition_indices(10, 11), "more teachers than examples"),
        Bad("rng", lambda: pate.partition_indices(10, 2, rng="seed"), "a string"),
    ],
    P + "train_teachers": [
        Bad("private", lambda: pate.train_teachers("data", 2), "a string"),
        Bad("private", lambda: pate.train_teachers(datasets.ImageDataset(np.zeros((0, 1, 2, 2)), np.zeros(0, int)), 2),
            "empty"),
        *numbers("n_teachers", lambda v: pate.train_teachers(split()[0], v)),
        Bad("n_teachers", lambda: pate.train_teachers(split()[0], 41), "more than the examples"),
        *numbers("epochs", lambda v: pate.train_teachers(split()[0], 2, epochs=v)),
        *numbers("batch_size", lambda v: pate.train_teachers(split()[0], 2, batch_size=v)),
        *numbers("lr", lambda v: pate.train_teachers(split()[0], 2, lr=v)),
        Bad("model", lambda: pate.train_teachers(split()[0], 2, model="resnet"), "unknown"),
        Bad("seed", lambda: pate.train_teachers(split()[0], 2, seed=-1), "negative"),
    ],
    P + "teacher_predictions": [
        Bad("ensemble", lambda: pate.teacher_predictions("teachers", split()[1].images), "a string"),
        Bad("images", lambda: pate.teacher_predictions(ensemble(), np.zeros((0, 1, 28, 28))), "empty"),
        Bad("images", lambda: pate.teacher_predictions(ensemble(), np.full((2, 1, 28, 28), NAN)), "NaN"),
        Bad("images", lambda: pate.teacher_predictions(ensemble(), np.zeros(3)), "wrong shape"),
    ],
    P + "vote_histograms": [
        Bad("predictions", lambda: pate.vote_histograms(np.zeros((0, 3), dtype=int)), "empty"),
        Bad("predictions", lambda: pate.vote_histograms(np.array([1, 2])), "1-D"),
        Bad("predictions", lambda: pate.vote_histograms(np.array([[0.5, 1.0]])), "not labels"),
        Bad("predictions", lambda: pate.vote_histograms(np.array([[0, 12]]), 10), "label out of range"),
        *numbers("n_classes", lambda v: pate.vote_histograms(np.array([[0, 1]]), v)),
    ],
    P + "lnmax": aggregator_cases(pate.lnmax),
    P + "gnmax": aggregator_cases(pate.gnmax),
    P + "confident_gnmax": [
        *aggregator_cases(pate.confident_gnmax),
        # None means the default (60% of the teachers; 2 x noise_scale), so it is no bad input here
        *[case for case in numbers("threshold", lambda v: pate.confident_gnmax(VOTES, 1.0, threshold=v),
                                   allow_zero=True) if case.why != "None"],
        *[case for case in numbers("threshold_noise", lambda v: pate.confident_gnmax(VOTES, 1.0, threshold_noise=v))
          if case.why != "None"],
    ],
    P + "aggregate": [
        Bad("mechanism", lambda: pate.aggregate(VOTES, "median", 1.0), "unknown"),
        Bad("mechanism", lambda: pate.aggregate(VOTES, ["gnmax"], 1.0), "a list"),
        *numbers("noise_scale", lambda v: pate.aggregate(VOTES, "gnmax", v)),
    ],
    R + "log_q_gnmax": [*numbers("noise_scale", lambda v: pate.log_q_gnmax(ROW, v)),
                        *histogram_cases(pate.log_q_gnmax, 1.0)],
    R + "log_q_lnmax": [*numbers("noise_scale", lambda v: pate.log_q_lnmax(ROW, v)),
                        *histogram_cases(pate.log_q_lnmax, 1.0)],
    R + "rdp_gnmax_data_independent": [*numbers("noise_scale", pate.rdp_gnmax_data_independent),
                                       *orders_cases(lambda o: pate.rdp_gnmax_data_independent(1.0, o))],
    R + "rdp_lnmax_data_independent": [*numbers("noise_scale", pate.rdp_lnmax_data_independent),
                                       *orders_cases(lambda o: pate.rdp_lnmax_data_independent(1.0, o))],
    R + "rdp_gnmax_data_dependent": [*numbers("noise_scale", lambda v: pate.rdp_gnmax_data_dependent(ROW, v)),
                                     *histogram_cases(pate.rdp_gnmax_data_dependent, 1.0),
                                     *orders_cases(lambda o: pate.rdp_gnmax_data_dependent(ROW, 1.0, o))],
    R + "rdp_lnmax_data_dependent": [*numbers("noise_scale", lambda v: pate.rdp_lnmax_data_dependent(ROW, v)),
                                     *histogram_cases(pate.rdp_lnmax_data_dependent, 1.0),
                                     *orders_cases(lambda o: pate.rdp_lnmax_data_dependent(ROW, 1.0, o))],
    R + "log_pr_answered": [*numbers("threshold", lambda v: pate.log_pr_answered(ROW, v, 1.0), allow_zero=True),
                            *numbers("threshold_noise", lambda v: pate.log_pr_answered(ROW, 5.0, v)),
                            *histogram_cases(pate.log_pr_answered, 5.0, 1.0)],
    R + "rdp_threshold_data_independent": [*numbers("threshold_noise", pate.rdp_threshold_data_independent),
                                           *orders_cases(lambda o: pate.rdp_threshold_data_independent(1.0, o))],
    R + "rdp_threshold_data_dependent": [
        *numbers("threshold", lambda v: pate.rdp_threshold_data_dependent(ROW, v, 1.0), allow_zero=True),
        *numbers("threshold_noise", lambda v: pate.rdp_threshold_data_dependent(ROW, 5.0, v)),
        *histogram_cases(pate.rdp_threshold_data_dependent, 5.0, 1.0),
        *orders_cases(lambda o: pate.rdp_threshold_data_dependent(ROW, 5.0, 1.0, o)),
    ],
    P + "per_query_rdp": [
        Bad("votes", lambda: pate.per_query_rdp(VOTES[:1], aggregation()), "one row for two queries"),
        Bad("votes", lambda: pate.per_query_rdp(np.full((2, 3), NAN), aggregation()), "NaN"),
        Bad("aggregation", lambda: pate.per_query_rdp(VOTES, {"labels": [0, 1]}), "a dict"),
        *orders_cases(lambda o: pate.per_query_rdp(VOTES, aggregation(), o)),
    ],
    "ppml_lab.accounting.rdp_to_epsilon": [
        *numbers("delta", lambda v: pate.rdp_to_epsilon(pate.DEFAULT_ORDERS, v)),
        Bad("rdp", lambda: pate.rdp_to_epsilon(np.ones(3), 1e-5), "wrong length"),
        Bad("rdp", lambda: pate.rdp_to_epsilon(np.full(len(pate.DEFAULT_ORDERS), NAN), 1e-5), "NaN"),
        Bad("rdp", lambda: pate.rdp_to_epsilon(-np.ones(len(pate.DEFAULT_ORDERS)), 1e-5), "negative"),
        *orders_cases(lambda o: pate.rdp_to_epsilon(np.ones(2), 1e-5, o)),
    ],
    P + "analyze_privacy": [
        *numbers("delta", lambda v: pate.analyze_privacy(VOTES, aggregation(), v)),
        Bad("votes", lambda: pate.analyze_privacy(VOTES[:1], aggregation()), "wrong length"),
        Bad("aggregation", lambda: pate.analyze_privacy(VOTES, "gnmax"), "a string"),
    ],
    P + "cumulative_epsilon": [
        *numbers("delta", lambda v: pate.cumulative_epsilon(VOTES, aggregation(), v)),
        Bad("votes", lambda: pate.cumulative_epsilon(np.ones((3, 3)), aggregation()), "wrong length"),
    ],
    P + "split_private_public": [
        Bad("train", lambda: pate.split_private_public(np.zeros((4, 1, 28, 28))), "an array"),
        *numbers("public_fraction", lambda v: pate.split_private_public(split()[0], v)),
        Bad("public_fraction", lambda: pate.split_private_public(split()[0], 1.0), "everything public"),
        Bad("rng", lambda: pate.split_private_public(split()[0], 0.5, rng="seed"), "a string"),
    ],
    P + "train_student": [
        Bad("public_images", lambda: student(public_images=np.full((4, 1, 28, 28), NAN)), "NaN"),
        Bad("labels", lambda: student(labels=np.array([0, 1])), "wrong length"),
        Bad("labels", lambda: student(labels=np.array([0.5, 1, 2, 3])), "not integers"),
        Bad("labels", lambda: student(labels=np.array([-1, -1, -1, -1])), "nothing answered"),
        Bad("labels", lambda: student(labels=np.array([-5, 1, 2, 3])), "below -1"),
        Bad("test", lambda: student(test="test"), "a string"),
        Bad("model", lambda: student(model="resnet"), "unknown"),
        *numbers("epochs", lambda v: student(epochs=v)),
        *numbers("lr", lambda v: student(lr=v)),
        Bad("seed", lambda: student(seed=-1), "negative"),
    ],
    P + "run_pate": [
        Bad("private", lambda: run(data=("private", split()[1], split()[2])), "a string"),
        Bad("public", lambda: run(data=(split()[0], None, split()[2])), "None"),
        Bad("validation", lambda: run(validation=[1, 2]), "a list"),
        *numbers("n_teachers", lambda v: run(n_teachers=v)),
        Bad("n_teachers", lambda: run(n_teachers=41), "more than the private examples"),
        *numbers("noise_scale", lambda v: run(noise_scale=v)),
        *numbers("n_queries", lambda v: run(n_queries=v)),
        Bad("n_queries", lambda: run(n_queries=21), "more than the public inputs"),
        Bad("mechanism", lambda: run(mechanism="median"), "unknown"),
        Bad("threshold", lambda: run(mechanism="confident_gnmax", threshold=-1.0), "negative"),
        Bad("threshold_noise", lambda: run(mechanism="confident_gnmax", threshold_noise=INF), "inf"),
        Bad("teacher_model", lambda: run(teacher_model="resnet"), "unknown"),
        *numbers("teacher_epochs", lambda v: run(teacher_epochs=v)),
        Bad("delta", lambda: run(delta=1.0), "1"),
        Bad("seed", lambda: run(seed=-3), "negative"),
    ],
    P + "privacy_utility_grid": [
        Bad("n_teachers", lambda: grid(n_teachers=[]), "empty"),
        Bad("n_teachers", lambda: grid(n_teachers=[0]), "zero"),
        Bad("noise_scales", lambda: grid(noise_scales=[NAN]), "NaN"),
        Bad("noise_scales", lambda: grid(noise_scales=5.0), "not a list"),
        Bad("n_queries", lambda: grid(n_queries=[21]), "more than the public inputs"),
        Bad("mechanism", lambda: grid(mechanism="median"), "unknown"),
        Bad("test", lambda: grid(data=(split()[0], split()[1], "test")), "a string"),
        Bad("delta", lambda: grid(delta=-0.1), "negative"),
    ],
    P + "search_epsilon": [
        Bad("grid", lambda: pate.search_epsilon([1, 2]), "a list"),
        Bad("grid", lambda: pate.search_epsilon(pd.DataFrame({"noise_scale": [1.0]})), "no n_queries column"),
        *numbers("delta", lambda v: pate.search_epsilon(pd.DataFrame({"noise_scale": [1.0], "n_queries": [3]}), v)),
    ],
    P + "gnmax_answer_epsilon": [*numbers("noise_scale", lambda v: pate.gnmax_answer_epsilon(v, 1e-5)),
                                 *numbers("delta", lambda v: pate.gnmax_answer_epsilon(1.0, v))],
    P + "BudgetedGNMax": [
        *numbers("noise_scale", lambda v: budgeted(noise_scale=v)),
        *numbers("delta_per_answer", lambda v: budgeted(delta_per_answer=v)),
        Bad("ledger", lambda: budgeted(ledger={"epsilon": 5.0}), "a dict"),
        Bad("votes", lambda: budgeted(votes=np.zeros((0, 3))), "empty"),
        Bad("query", lambda: BUDGETED.answer(2), "no such query",
            state=lambda: (BUDGETED.ledger.spent, BUDGETED.n_answered)),
        Bad("query", lambda: BUDGETED.answer(-1), "negative",
            state=lambda: (BUDGETED.ledger.spent, BUDGETED.n_answered)),
        Bad("query", lambda: BUDGETED.answer("0"), "a string",
            state=lambda: (BUDGETED.ledger.spent, BUDGETED.n_answered)),
        Bad("max_answers", lambda: BUDGETED.answer_until_refused(0, max_answers=0), "zero",
            state=lambda: (BUDGETED.ledger.spent, BUDGETED.n_answered)),
    ],
    P + "compare_with_dpsgd": [
        Bad("seeds", lambda: compare(seeds=[]), "empty"),
        Bad("seeds", lambda: compare(seeds=[-1]), "negative"),
        Bad("private", lambda: compare(data=("private", split()[1], split()[2])), "a string"),
        *numbers("noise_scale", lambda v: compare(noise_scale=v)),
        *numbers("n_queries", lambda v: compare(n_queries=v)),
        Bad("mechanism", lambda: compare(mechanism="median"), "unknown"),
        *numbers("dpsgd_epochs", lambda v: compare(dpsgd_epochs=v)),
        Bad("dpsgd_batch_size", lambda: compare(dpsgd_batch_size=41), "more than the private examples"),
        Bad("delta", lambda: compare(delta=NAN), "NaN"),
    ],
    A + "gnmax_answer_probabilities": [
        *numbers("noise_scale", lambda v: averaging.gnmax_answer_probabilities(ROW, v)),
        *histogram_cases(averaging.gnmax_answer_probabilities, 1.0),
        Bad("n_nodes", lambda: averaging.gnmax_answer_probabilities(ROW, 1.0, 2), "too few nodes"),
    ],
    A + "estimate_margin": [
        Bad("answers", lambda: averaging.estimate_margin(np.array([]), 0, 1, 1.0), "empty"),
        Bad("answers", lambda: averaging.estimate_margin(np.array([0.5, 1.0]), 0, 1, 1.0), "not labels"),
        Bad("top", lambda: averaging.estimate_margin(np.array([0, 1]), -1, 1, 1.0), "negative"),
        Bad("runner_up", lambda: averaging.estimate_margin(np.array([0, 1]), 0, 0, 1.0), "same as top"),
        *numbers("noise_scale", lambda v: averaging.estimate_margin(np.array([0, 1]), 0, 1, v)),
    ],
    A + "distinguishing_accuracy": [
        Bad("votes_out", lambda: averaging.distinguishing_accuracy(ROW, ROW[:2], 1.0, [1]), "wrong shape"),
        Bad("votes_in", lambda: averaging.distinguishing_accuracy(np.array([NAN, 1.0]), ROW[:2], 1.0, [1]), "NaN"),
        *numbers("noise_scale", lambda v: averaging.distinguishing_accuracy(ROW, ROW, v, [1])),
        Bad("n_answers", lambda: averaging.distinguishing_accuracy(ROW, ROW, 1.0, [0, 5]), "zero"),
        Bad("n_answers", lambda: averaging.distinguishing_accuracy(ROW, ROW, 1.0, []), "empty"),
        *numbers("trials", lambda v: averaging.distinguishing_accuracy(ROW, ROW, 1.0, [1], trials=v)),
        Bad("rng", lambda: averaging.distinguishing_accuracy(ROW, ROW, 1.0, [1], rng="seed"), "a string"),
    ],
    A + "accuracy_bound": [*numbers("noise_scale", lambda v: averaging.accuracy_bound(v, 1)),
                           *numbers("n_answers", lambda v: averaging.accuracy_bound(1.0, v)),
                           *numbers("delta", lambda v: averaging.accuracy_bound(1.0, 1, v))],
    "ppml_lab.exercises.pate.check_gnmax_answer": [
        Bad("function", lambda: exercises.check_gnmax_answer("my_gnmax"), "a string"),
        Bad("function", lambda: exercises.check_gnmax_answer(42), "a number"),
    ],
    "ppml_lab.exercises.pate.check_gnmax_epsilon": [
        Bad("function", lambda: exercises.check_gnmax_epsilon("my_gnmax_epsilon"), "a string"),
    ],
    "ppml_lab.exercises.pate.check_gnmax_q": [
        Bad("function", lambda: exercises.check_gnmax_q("my_gnmax_q"), "a string"),
        Bad("function", lambda: exercises.check_gnmax_q(0.5), "a number"),
    ],
}
