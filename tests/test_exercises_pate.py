"""Tests for ppml_lab.exercises.pate: right answers pass, typical wrong answers get specific feedback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ppml_lab import pate
from ppml_lab.exercises import pate as ex


def _gnmax_right(votes, sigma, rng):
    return int(np.argmax(votes + rng.normal(0.0, sigma, size=len(votes))))


def _epsilon_right(sigma, n_answered, delta):
    return pate.rdp_to_epsilon(n_answered * pate.DEFAULT_ORDERS / sigma**2, delta)[0]


def _q_terms(votes, sigma, scale=2.0, half=0.5, include_top=False):
    top = int(np.argmax(votes))
    return sum(half * math.erfc((votes[top] - count) / (scale * sigma))
               for i, count in enumerate(votes) if include_top or i != top)


def _q_right(votes, sigma):
    return min(_q_terms(votes, sigma), 1 - 1 / len(votes))


def _placeholder(*args):
    raise NotImplementedError


def test_right_answers_pass():
    assert ex.check_gnmax_answer(_gnmax_right)
    assert ex.check_gnmax_epsilon(_epsilon_right)
    assert ex.check_gnmax_q(_q_right)


@pytest.mark.parametrize("check", [ex.check_gnmax_answer, ex.check_gnmax_epsilon, ex.check_gnmax_q])
def test_placeholder_and_none_are_feedback_not_errors(check):
    assert "NotImplementedError" in check(_placeholder).message
    assert not check(None)


@pytest.mark.parametrize("answer, says", [
    (lambda v, s, rng: int(np.argmax(v)), "never changes"),
    (lambda v, s, rng: None, "None"),
])
def test_gnmax_feedback_names_the_mistake(answer, says):
    feedback = ex.check_gnmax_answer(answer)
    assert not feedback and says in feedback.message


@pytest.mark.parametrize("answer, says", [
    (lambda s, n, d: pate.rdp_to_epsilon(n * pate.DEFAULT_ORDERS / (2 * s**2), d)[0], "sensitivity 1"),
    (lambda s, n, d: pate.rdp_to_epsilon(pate.DEFAULT_ORDERS / s**2, d)[0], "single answer"),
    (lambda s, n, d: pate.rdp_to_epsilon(n * pate.DEFAULT_ORDERS / s, d)[0], "sigma squared"),
])
def test_epsilon_feedback_names_the_mistake(answer, says):
    feedback = ex.check_gnmax_epsilon(answer)
    assert not feedback and says in feedback.message


@pytest.mark.parametrize("answer, says", [
    (lambda v, s: min(_q_terms(v, s, scale=1.0), 1 - 1 / len(v)), "divided the gap by sigma"),
    (lambda v, s: min(_q_terms(v, s, scale=math.sqrt(2.0)), 1 - 1 / len(v)), "tail of one noise"),
    (lambda v, s: min(_q_terms(v, s, include_top=True), 1 - 1 / len(v)), "included the plurality class"),
    (lambda v, s: _q_terms(v, s), "forgot the cap"),
    (lambda v, s: min(_q_terms(v, s), 1.0), "capped the sum at 1"),
    (lambda v, s: min(_q_terms(v, s, half=1.0), 1 - 1 / len(v)), "factor 1/2"),
    (lambda v, s: 0.01, "not q-tilde"),
    (lambda v, s: None, "None"),
    (lambda v, s: "small", "as a number"),
])
def test_q_feedback_names_the_mistake(answer, says):
    feedback = ex.check_gnmax_q(answer)
    assert not feedback and says in feedback.message


def test_q_cases_are_seeded_and_cover_every_regime():
    cases = ex._q_cases()
    assert all(np.array_equal(a, b) and s == t for (a, s), (b, t) in zip(cases, ex._q_cases()))
    qs = [math.exp(pate.log_q_gnmax(votes, sigma)) for votes, sigma in cases]
    assert min(qs) < 1e-6 and any(0.1 < q < 0.8 for q in qs) and max(qs) == pytest.approx(0.9)
    assert len({int(np.argmax(votes)) for votes, _ in cases}) > 1  # the plurality class moves
    assert not ex.check_gnmax_q(lambda v, s: _q_right(v, s) if np.argmax(v) == 0 else 0.5)  # no class-0 shortcut


def test_q_feedback_does_not_give_the_expected_value():
    message = ex.check_gnmax_q(lambda v, s: 0.01).message
    votes, sigma = ex._q_cases()[0]
    assert f"{math.exp(pate.log_q_gnmax(votes, sigma)):.4g}" not in message
