import numpy as np
import pytest

from ppml_lab import pate
from ppml_lab.attacks import pate_averaging as attack


def close_votes():
    votes = np.array([30.0, 28.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 7.0])
    neighbour = votes.copy()
    neighbour[0] -= 1  # one teacher (one person's partition) moves its vote from class 0 to class 1
    neighbour[1] += 1
    return votes, neighbour


def test_answer_probabilities_match_the_aggregator():
    votes, _ = close_votes()
    exact = attack.gnmax_answer_probabilities(votes, 10.0)
    sampled = np.bincount(pate.gnmax(np.tile(votes, (100_000, 1)), 10.0, rng=0).labels, minlength=10) / 100_000
    assert exact.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(exact, sampled, atol=0.005)  # sd of a share <= 0.5 / sqrt(1e5) ~ 0.0016


def test_two_class_probability_is_the_normal_cdf():
    from scipy import stats

    exact = attack.gnmax_answer_probabilities(np.array([55.0, 45.0]), 8.0)
    assert exact[0] == pytest.approx(stats.norm.cdf(10.0 / (8.0 * np.sqrt(2))), abs=1e-9)


def test_margin_is_reconstructed_from_many_answers():
    votes = np.array([60.0, 50.0, 0, 0, 0, 0, 0, 0, 0, 0])
    answers = pate.gnmax(np.tile(votes, (20_000, 1)), 10.0, rng=0).labels
    assert attack.estimate_margin(answers, 0, 1, 10.0) == pytest.approx(10.0, abs=1.0)
    few = attack.estimate_margin(answers[:5], 0, 1, 10.0)
    assert abs(few - 10.0) > 1.0  # five answers say little


def test_distinguishing_needs_many_answers_and_respects_the_dp_bound():
    votes, neighbour = close_votes()
    table = attack.distinguishing_accuracy(votes, neighbour, 10.0, [1, 10, 3000], trials=200, rng=0)
    accuracy = dict(zip(table.n_answers, table.accuracy))
    assert accuracy[3000] > 0.95  # unlimited answers: the person's presence is revealed
    for n, acc in accuracy.items():  # an honest test never beats what DP allows (sd of acc ~ 0.035)
        assert acc <= attack.accuracy_bound(10.0, n, 1e-5) + 0.08
    assert accuracy[1] < 0.65


def test_accuracy_bound_grows_with_answers():
    bounds = [attack.accuracy_bound(10.0, n) for n in (1, 10, 100)]
    assert 0.5 < bounds[0] < bounds[1] < bounds[2] <= 1.0
