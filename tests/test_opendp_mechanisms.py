"""OpenDP's Laplace and Gaussian against the lab's from-scratch ones: same noise, same scale.

OpenDP draws from the operating system's randomness and cannot be seeded; the tolerances are set
so that a correct pair of samplers fails with probability far below 1e-6.
"""

import math

import numpy as np
import pytest
from scipy import stats

from ppml_lab import mechanisms as m
from ppml_lab import opendp_mechanisms as o

N = 40_000


def test_opendp_laplace_matches_the_lab_laplace():
    sensitivity, epsilon, true = 1.0, 0.5, 3.0
    ours = m.laplace_mechanism(np.full(N, true), sensitivity, epsilon, rng=1) - true
    theirs = o.opendp_laplace_mechanism(np.full(N, true), sensitivity, epsilon) - true
    scale = sensitivity / epsilon
    assert np.std(theirs) == pytest.approx(math.sqrt(2) * scale, rel=0.04)  # sd of the sd estimate ~0.6%
    assert np.std(ours) == pytest.approx(np.std(theirs), rel=0.05)
    assert abs(np.mean(theirs)) < 6 * math.sqrt(2) * scale / math.sqrt(N)
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-6
    assert stats.kstest(theirs, stats.laplace(scale=scale).cdf).pvalue > 1e-6


def test_opendp_gaussian_matches_the_lab_gaussian():
    sensitivity, epsilon, delta = 1.0, 0.5, 1e-5
    sigma = m.gaussian_sigma(sensitivity, epsilon, delta, method="analytic")
    ours = m.gaussian_mechanism(np.zeros(N), sensitivity, epsilon, delta, rng=2, method="analytic")
    theirs = o.opendp_gaussian_mechanism(np.zeros(N), sensitivity, epsilon, delta, method="analytic")
    assert np.std(theirs) == pytest.approx(sigma, rel=0.03)  # sd of the sd estimate ~0.4%
    assert np.std(ours) == pytest.approx(np.std(theirs), rel=0.03)
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-6


def test_scalar_release_is_a_float_and_vectors_stay_vectors():
    assert isinstance(o.opendp_laplace_mechanism(5, 1.0, 1.0), float)
    assert o.opendp_laplace_mechanism([1.0, 2.0, 3.0], 1.0, 1.0).shape == (3,)
    assert o.opendp_gaussian_mechanism(np.zeros(4), 1.0, 0.5, 1e-5).shape == (4,)


def test_opendp_accounting_checks_the_gaussian_calibration():
    # Classic sigma is loose: OpenDP certifies less than the epsilon it was computed for.
    classic = m.gaussian_sigma(1.0, 0.5, 1e-5)
    assert o.opendp_gaussian_epsilon(1.0, classic, 1e-5) < 0.5
    # The analytic sigma is exact for the Gaussian; OpenDP's zCDP conversion is slightly looser than exact.
    analytic = m.gaussian_sigma(1.0, 0.5, 1e-5, method="analytic")
    assert 0.5 < o.opendp_gaussian_epsilon(1.0, analytic, 1e-5) < 0.6
    # More noise, less epsilon.
    assert o.opendp_gaussian_epsilon(1.0, 2 * analytic, 1e-5) < o.opendp_gaussian_epsilon(1.0, analytic, 1e-5)
