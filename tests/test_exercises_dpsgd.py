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
