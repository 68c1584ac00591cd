import math

import numpy as np

from ppml_lab.exercises import synthetic as ex


def test_noise_scale_feedback():
    assert ex.check_noise_scale(lambda rho, n: math.sqrt(n / (2 * rho))).passed
    mistakes = {"whole budget": lambda rho, n: math.sqrt(1 / (2 * rho)),
                "variance": lambda rho, n: n / (2 * rho),
                "sqrt(2) too large": lambda rho, n: math.sqrt(n / rho),
                "more marginals": lambda rho, n: math.sqrt(1 / (2 * rho * n))}
    for words, answer in mistakes.items():
        feedback = ex.check_noise_scale(answer)
        assert not feedback.passed and words in feedback.message


def test_noise_scale_stub_and_errors():
    def stub(rho, n):
        raise NotImplementedError
    assert "NotImplementedError" in ex.check_noise_scale(stub).message
    assert "None" in ex.check_noise_scale(lambda rho, n: None).message
    assert not ex.check_noise_scale(lambda rho, n: "abc").passed
    assert not ex.check_noise_scale(lambda rho, n: 1 / 0).passed


def _em(scores, epsilon, sensitivity):
    logits = epsilon * np.asarray(scores) / (2 * sensitivity)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def test_selection_probabilities_feedback():
    assert ex.check_selection_probabilities(_em).passed
    mistakes = {"twice too large": lambda s, e, d: _em(s, 2 * e, d),
                "ignored the sensitivity": lambda s, e, d: _em(s, e, 1.0),
                "check the sign": lambda s, e, d: _em(-np.asarray(s), e, d),
                "sum to": lambda s, e, d: np.exp(e * np.asarray(s) / (2 * d))}
    for words, answer in mistakes.items():
        feedback = ex.check_selection_probabilities(answer)
        assert not feedback.passed and words in feedback.message, (words, feedback.message)


def test_selection_probabilities_stub_and_errors():
    def stub(scores, epsilon, sensitivity):
        raise NotImplementedError
    assert "NotImplementedError" in ex.check_selection_probabilities(stub).message
    assert "None" in ex.check_selection_probabilities(lambda s, e, d: None).message
    assert not ex.check_selection_probabilities(lambda s, e, d: [1.0]).passed
    assert not ex.check_selection_probabilities(lambda s, e, d: "x").passed
