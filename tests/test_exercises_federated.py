"""The lesson-05 FedProx exercise check accepts the solution and names the typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from ppml_lab.exercises import federated as checks


def local_fedprox(global_weights, data_gradient, mu, lr, steps):
    weights = global_weights.copy()
    for _ in range(steps):
        weights = weights - lr * (data_gradient(weights) + mu * (weights - global_weights))
    return weights


def with_term(coefficient, anchor="global"):
    """A local update whose proximal term is ``coefficient(mu) * (w - anchor)``."""
    def update(global_weights, data_gradient, mu, lr, steps):
        weights, previous = global_weights.copy(), global_weights.copy()
        for _ in range(steps):
            pulled_to = {"global": global_weights, "current": weights, "previous": previous}[anchor]
            weights, previous = (weights - lr * (data_gradient(weights) + coefficient(mu) * (weights - pulled_to)),
                                 weights)
        return weights
    return update


def in_place(global_weights, data_gradient, mu, lr, steps):
    weights = global_weights
    for _ in range(steps):
        weights -= lr * (data_gradient(weights) + mu * (weights - global_weights))
    return weights


def scaled_gradient(global_weights, data_gradient, mu, lr, steps):
    weights = global_weights.copy()
    for _ in range(steps):
        weights = weights - lr * (mu * data_gradient(weights) + (weights - global_weights))
    return weights


def only_for_positive_mu(global_weights, data_gradient, mu, lr, steps):
    return local_fedprox(global_weights, data_gradient, mu, lr, steps) if mu > 0 else global_weights.copy()


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("seed", [0, 1])
def test_solution_passes(seed):
    assert checks.check_local_fedprox(local_fedprox, seed=seed)


@pytest.mark.parametrize("answer, words", [
    (with_term(lambda mu: -mu), "wrong sign"),
    (with_term(lambda mu: mu / 2), "half of FedProx's"),
    (with_term(lambda mu: mu, anchor="current"), "plain FedAvg"),
    (with_term(lambda mu: mu, anchor="previous"), "previous step's local weights"),
    (in_place, "in place"),
    (scaled_gradient, "mu = 0"),
    (only_for_positive_mu, "mu = 0"),
    (lambda *args: None, "returned None"),
    (lambda *args: 3.0, "shape"),
    (lambda *args: "weights", "NumPy array"),
    (with_term(lambda mu: 3 * mu), "off from FedProx's"),
    (lambda *args: np.zeros(7850), "mu = 0"),
])
def test_mistakes_are_named(answer, words):
    feedback = checks.check_local_fedprox(answer)
    assert not feedback and words in feedback.message


def test_stub_and_errors_are_feedback_not_exceptions():
    assert "NotImplementedError" in checks.check_local_fedprox(stub).message
    assert "ZeroDivisionError" in checks.check_local_fedprox(lambda *args: 1 / 0).message
    assert not checks.check_local_fedprox(None)


def test_inputs_change_with_the_seed():
    """mu, lr and the number of steps are drawn from the seed, so a hard-coded answer cannot pass."""
    problems = {seed: checks._fedprox_problem(seed)[2:] for seed in range(4)}
    assert len(set(problems.values())) == 4
