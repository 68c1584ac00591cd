"""Tests for ppml_lab.exercises.dpsgd: right answers pass, typical wrong answers get specific feedback."""

from __future__ import annotations

import numpy as np
import pytest

from ppml_lab import models
from ppml_lab.exercises import dpsgd as ex


def _clip_right(grads, c):
    norms = np.linalg.norm(grads, axis=1, keepdims=True)
    return grads * np.minimum(1.0, c / norms)


@pytest.mark.parametrize("answer, says", [
    (lambda g, c: g * min(1.0, c / np.linalg.norm(g)), "whole batch"),
    (lambda g, c: g / np.linalg.norm(g, axis=1, keepdims=True) * c, "left unchanged"),
    (lambda g, c: np.clip(g, -c, c), "each coordinate"),
    (lambda g, c: g[:3], "shape"),
    (lambda g, c: None, "None"),
])
def test_clip_feedback_names_the_mistake(answer, says):
    feedback = ex.check_clip_per_example(answer)
    assert not feedback and says in feedback.message


def test_clip_accepts_right_answer_and_placeholder_is_not_an_error():
    assert ex.check_clip_per_example(_clip_right)

    def placeholder(g, c):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_clip_per_example(placeholder).message


@pytest.mark.parametrize("answer, says", [
    (lambda s, c, b: s * c, "sum"), (lambda s, c, b: s / b, "clipping norm"),
    (lambda s, c, b: s * c / np.sqrt(b), "1/B"), (lambda s, c, b: None, "None"),
])
def test_noise_feedback_names_the_mistake(answer, says):
    feedback = ex.check_noise_on_average(answer)
    assert not feedback and says in feedback.message


def test_noise_accepts_right_answer():
    assert ex.check_noise_on_average(lambda s, c, b: s * c / b)


def test_fixed_model_check():
    from opacus.validators import ModuleValidator

    assert ex.check_fixed_model(lambda: ModuleValidator.fix(models.cnn_with_batchnorm()))
    assert "still rejects" in ex.check_fixed_model(models.cnn_with_batchnorm).message
    assert "None" in ex.check_fixed_model(lambda: None).message
    assert "10 class scores" in ex.check_fixed_model(lambda: models.small_cnn(n_classes=5)).message


def _sigma_for(target_epsilon, delta, batch_size, n, epochs, epsilon_of, *, rate=None, steps=None, tolerance=1e-4,
               answer="high", decreasing=True):
    """The reference bisection; the keywords plant one typical mistake each."""
    sample_rate = batch_size / n if rate is None else rate(batch_size, n)
    steps = round(epochs * n / batch_size) if steps is None else steps(epochs, batch_size, n)
    low, high = 0.01, 100.0
    while high - low > tolerance * high:
        middle = (low + high) / 2
        too_much = epsilon_of(middle, sample_rate, steps, delta) > target_epsilon
        if too_much == decreasing:
            low = middle
        else:
            high = middle
    return high if answer == "high" else low


def test_sigma_for_accepts_the_bisection():
    feedback = ex.check_sigma_for(_sigma_for)
    assert feedback, feedback.message


@pytest.mark.parametrize("mistake, says", [
    ({"rate": lambda b, n: b}, "batch size B"),
    ({"rate": lambda b, n: n / b}, "sample rate"),
    ({"steps": lambda e, b, n: e}, "number of epochs"),
    ({"steps": lambda e, b, n: e * n}, "steps"),
    ({"answer": "low"}, "above the target"),
    ({"tolerance": 0.02}, "not precise enough"),
    ({"decreasing": False}, "decreases"),
])
def test_sigma_for_feedback_names_the_mistake(mistake, says):
    feedback = ex.check_sigma_for(lambda *args: _sigma_for(*args, **mistake))
    assert not feedback and says in feedback.message, feedback.message


@pytest.mark.parametrize("answer, says", [
    (lambda t, d, b, n, e, eps: None, "never called"),
    (lambda t, d, b, n, e, eps: 1 / 0, "ZeroDivisionError"),
    (lambda t, d, b, n, e, eps: str(_sigma_for(t, d, b, n, e, eps)), "as a number"),
    (lambda t, d, b, n, e, eps: [eps(1.0, b / n, e * n // b, d)], "as a number"),
    (lambda t, d, b, n, e, eps: eps(1.0, b / n, e * n // b, d) and float("nan"), "as a number"),
    (lambda t, d, b, n, e, eps: _sigma_for(t, 1e-3, b, n, e, eps), "delta"),
])
def test_sigma_for_wrong_answers_get_feedback_not_errors(answer, says):
    feedback = ex.check_sigma_for(answer)
    assert not feedback and says in feedback.message, feedback.message


def test_sigma_for_stub_is_not_yet_and_cannot_be_hard_coded():
    def stub(*args):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_sigma_for(stub).message
    sigmas = {round(ex._RecordingAccountant.smallest_sigma(t, b / n, e * n // b, d), 6)
              for t, d, b, n, e in ex._sigma_cases()}
    assert len(sigmas) == 3  # three different answers: no constant passes
    assert not ex.check_sigma_for(lambda *args: 1.0)


def test_sigma_for_accountant_is_monotone_and_inverted_exactly():
    epsilon, smallest = ex._RecordingAccountant.epsilon, ex._RecordingAccountant.smallest_sigma
    sigmas = np.linspace(0.3, 20, 50)
    values = [epsilon(s, 0.05, 400, 1e-5) for s in sigmas]
    assert all(np.diff(values) < 0)
    assert epsilon(smallest(2.0, 0.05, 400, 1e-5), 0.05, 400, 1e-5) == pytest.approx(2.0, rel=1e-9)
