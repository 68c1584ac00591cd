"""The floating-point attack (Mironov 2012): it breaks the textbook sampler and not OpenDP's."""

import math

import numpy as np
import pytest

from ppml_lab.attacks import floating_point as fp
from ppml_lab.attacks.differencing import best_guess_bound
from ppml_lab.mechanisms import laplace_mechanism
from ppml_lab.opendp_mechanisms import opendp_laplace_mechanism


def test_replica_matches_numpy_laplace_bit_for_bit():
    scale = 2.0
    draws = np.random.default_rng(1).laplace(0.0, scale, size=20_000)
    k = np.random.default_rng(1).integers(0, 2**64, size=20_000, dtype=np.uint64) >> np.uint64(11)  # next_double
    assert (k > 0).all()
    assert all(fp.textbook_laplace_noise(int(ki), scale) == d for ki, d in zip(k, draws))


def test_textbook_outputs_are_recognised_as_possible():
    rng = np.random.default_rng(2)
    for true_answer, scale in [(0.0, 2.0), (1.0, 2.0), (39.0, 1.0), (-3.0, 0.1)]:
        outputs = laplace_mechanism(np.full(300, true_answer), scale, 1.0, rng)
        assert all(fp.textbook_laplace_can_output(y, true_answer, scale) for y in outputs)


def test_attack_beats_the_dp_bound_on_the_textbook_sampler():
    epsilon = 0.5
    rng = np.random.default_rng(3)
    result = fp.floating_point_attack_accuracy(lambda x: laplace_mechanism(x, 1.0, epsilon, rng), 1 / epsilon, 2000)
    bound = best_guess_bound(epsilon)  # 0.622
    assert result.identified > 0.6 and result.identified_right == 1.0  # the bits never lie
    assert result.accuracy > bound + 10 * result.standard_error  # far beyond what epsilon = 0.5 allows
    assert result.accuracy > 0.85


def test_attack_learns_nothing_from_opendp():
    epsilon = 0.5
    result = fp.floating_point_attack_accuracy(lambda x: opendp_laplace_mechanism(x, 1.0, epsilon), 1 / epsilon, 5000)
    # OpenDP cannot be seeded; expected accuracy ~0.59, the bound is 0.622, 4 standard errors ~0.028
    assert result.accuracy <= best_guess_bound(epsilon) + 4 * result.standard_error
    identified = round(result.identified * 2 * result.trials)
    assert abs(result.identified_right - 0.5) < 4 * math.sqrt(0.25 / identified) + 0.05  # a coin flip, not a signal


def test_guesses_fall_back_to_the_nearest_candidate():
    guesses, identified = fp.floating_point_attack(np.array([0.1, 0.9, 100.0]), 2.0, (0.0, 1.0))
    assert set(guesses.tolist()) <= {0.0, 1.0}
    assert guesses[2] == 1.0  # 100 is nearer 1 (and neither candidate may produce it exactly)
    assert identified.dtype == bool


def test_bad_release_shape_is_refused():
    with pytest.raises(ValueError, match="release must return one release per true answer"):
        fp.floating_point_attack_accuracy(lambda x: x[:3], 1.0, 5)
