import math

import numpy as np
import pandas as pd
import pytest

from ppml_lab import queries
from ppml_lab.attacks.differencing import differencing_attack


def test_private_count_is_centred_on_the_true_count():
    mask = np.arange(100) < 40
    answers = [queries.private_count(mask, 1.0, rng=s) for s in range(2000)]
    assert queries.count(mask) == 40
    assert np.mean(answers) == pytest.approx(40, abs=0.15)  # Laplace(1) mean error: sd sqrt(2)/sqrt(2000) ~ 0.03


def test_private_mean_clamps_and_scales_with_n():
    values = np.array([10.0, 20.0, 1000.0])
    assert queries.mean_sensitivity(3, 0, 100) == pytest.approx(100 / 3)
    answers = [queries.private_mean(values, 0, 100, 10.0, rng=s) for s in range(2000)]
    assert np.mean(answers) == pytest.approx((10 + 20 + 100) / 3, abs=0.5)


def test_query_bad_input():
    with pytest.raises(ValueError, match="values must be non-empty"):
        queries.private_mean([], 0, 1, 1.0)
    with pytest.raises(ValueError, match="upper must be > lower"):
        queries.mean_sensitivity(3, 5, 5)


def test_differencing_attack_reveals_exact_and_fails_under_dp():
    table = pd.DataFrame({"zip": ["1", "1", "2"], "hiv": [True, False, True]})
    target = pd.Series([False, False, True])
    exact = differencing_attack(table, table["hiv"], target)
    assert exact.difference == 1 and exact.inferred
    # With Laplace noise at epsilon 0.1 per query the attacker's guess is a coin flip-ish.
    # Each query must draw fresh noise: one Generator per attack, shared by both queries.
    guesses = []
    for seed in range(400):
        rng = np.random.default_rng(seed)
        answer = lambda mask, rng=rng: queries.private_count(mask, 0.1, rng=rng)  # noqa: E731
        guesses.append(differencing_attack(table, table["hiv"], target, answer=answer).inferred)
    assert 0.2 < np.mean(guesses) < 0.8
    with pytest.raises(ValueError, match="table must be non-empty"):
        differencing_attack(table.iloc[:0], table["hiv"].iloc[:0], target.iloc[:0])


def test_attack_accuracy_stays_below_the_dp_bound():
    from ppml_lab.attacks.differencing import attack_accuracy, best_guess_bound

    table = pd.DataFrame({"hiv": [True, False, True, False]})
    target = pd.Series([False, False, True, False])
    for epsilon_per_query in (0.1, 0.5, 2.0):
        accuracy = attack_accuracy(table, table["hiv"], target, epsilon_per_query, trials=2000, rng=3)
        # only the first count depends on the target: the per-target bound uses one query's epsilon;
        # 0.02 covers sampling error (sd ~0.011)
        assert accuracy <= best_guess_bound(epsilon_per_query) + 0.02
        assert accuracy > 0.45
    assert attack_accuracy(table, table["hiv"], target, 50.0, trials=200, rng=3) == 1.0  # no real noise: certainty
    with pytest.raises(ValueError, match="epsilon_per_query must be a finite number > 0, got 0"):
        attack_accuracy(table, table["hiv"], target, 0)


def test_bad_values_are_refused_not_averaged():
    with pytest.raises(ValueError, match="values must contain only finite numbers"):
        queries.private_mean([1.0, float("nan")], 0, 5, 1.0)
    with pytest.raises(ValueError, match="mask must"):
        queries.count([0.5, 1.0])


def test_informed_attacker_nears_the_per_target_bound():
    from ppml_lab.attacks.differencing import attack_accuracy, best_guess_bound

    table = pd.DataFrame({"hiv": [True, False, True, False]})
    target = pd.Series([False, False, True, False])
    epsilon = 0.5
    informed = attack_accuracy(table, table["hiv"], target, epsilon, trials=4000, rng=5, knows_others=True)
    # Laplace with a threshold at 1/2: accuracy 1 - exp(-epsilon / 2) / 2 = 0.611, bound e^eps / (1 + e^eps) = 0.622
    assert informed == pytest.approx(1 - math.exp(-epsilon / 2) / 2, abs=0.025)
    assert informed <= best_guess_bound(epsilon) + 0.02
    naive = attack_accuracy(table, table["hiv"], target, epsilon, trials=4000, rng=5)
    assert naive < informed  # two noisy counts are worse than one noisy count and one known
