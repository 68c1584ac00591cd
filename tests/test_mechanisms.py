"""Noise distributions checked against scipy.stats with Kolmogorov-Smirnov tests (fixed seeds)."""

import math

import numpy as np
import pytest
from scipy import stats

from ppml_lab import mechanisms as m

N = 100_000
ALPHA = 0.01  # a correct sampler fails this KS test with probability 1%; seeds are fixed, so it never flakes


def test_laplace_noise_matches_scipy():
    sensitivity, epsilon, true = 2.0, 0.5, 10.0
    noisy = m.laplace_mechanism(np.full(N, true), sensitivity, epsilon, rng=1)
    result = stats.kstest(noisy - true, stats.laplace(scale=sensitivity / epsilon).cdf)
    assert result.pvalue > ALPHA


def test_laplace_noise_rejects_wrong_scale():
    # The same test must be able to fail: noise at twice the scale is rejected.
    noisy = m.laplace_mechanism(np.zeros(N), 2.0, 0.5, rng=1)
    assert stats.kstest(noisy, stats.laplace(scale=2.0).cdf).pvalue < 1e-6


def test_teaching_inverse_cdf_sampler_matches_scipy():
    samples = m.sample_laplace_inverse_cdf(3.0, N, np.random.default_rng(2))
    assert stats.kstest(samples, stats.laplace(scale=3.0).cdf).pvalue > ALPHA


def test_gaussian_noise_matches_scipy_with_classic_sigma():
    sensitivity, epsilon, delta = 1.0, 0.5, 1e-5
    sigma = sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / epsilon
    assert m.gaussian_sigma(sensitivity, epsilon, delta) == pytest.approx(sigma)
    noisy = m.gaussian_mechanism(np.zeros(N), sensitivity, epsilon, delta, rng=3)
    assert stats.kstest(noisy, stats.norm(scale=sigma).cdf).pvalue > ALPHA


def test_analytic_gaussian_is_tighter_and_exact():
    sensitivity, epsilon, delta = 1.0, 0.5, 1e-5
    sigma = m.gaussian_sigma(sensitivity, epsilon, delta, method="analytic")
    assert sigma < m.gaussian_sigma(sensitivity, epsilon, delta)
    # Balle & Wang's privacy profile at this sigma equals delta.
    a, b = sensitivity / (2 * sigma), epsilon * sigma / sensitivity
    profile = stats.norm.cdf(a - b) - math.exp(epsilon) * stats.norm.cdf(-a - b)
    assert profile == pytest.approx(delta, rel=1e-6)
    assert m.gaussian_sigma(1.0, 5.0, 1e-5, method="analytic") > 0


def test_randomized_response_flip_rate_and_unbiased_estimate():
    epsilon, true_rate = 1.0, 0.3
    rng = np.random.default_rng(4)
    truth = rng.random(N) < true_rate
    responses = m.randomized_response(truth, epsilon, rng=5)
    keep = math.exp(epsilon) / (1 + math.exp(epsilon))
    assert (responses == truth).mean() == pytest.approx(keep, abs=4 * math.sqrt(keep * (1 - keep) / N))
    estimate = m.estimate_proportion_from_rr(responses, epsilon)
    # standard error of the estimator: sqrt(q(1-q)/N) / (2p-1), q the observed rate
    q = responses.mean()
    se = math.sqrt(q * (1 - q) / N) / (2 * keep - 1)
    assert abs(estimate - truth.mean()) < 4 * se
    assert abs(responses.mean() - true_rate) > 10 * se  # the raw rate is biased: the estimator matters


def test_estimator_is_unbiased_over_repetitions():
    epsilon, truth = 0.5, np.r_[np.ones(300), np.zeros(700)]
    estimates = [m.estimate_proportion_from_rr(m.randomized_response(truth, epsilon, rng=s), epsilon)
                 for s in range(400)]
    assert np.mean(estimates) == pytest.approx(0.3, abs=0.01)


def test_mechanisms_are_reproducible_with_a_seed():
    assert m.laplace_mechanism(5, 1, 1, rng=7) == m.laplace_mechanism(5, 1, 1, rng=7)
    assert isinstance(m.laplace_mechanism(5, 1, 1, rng=7), float)


@pytest.mark.parametrize("epsilon", [0, -1, float("inf"), float("nan"), "1"])
def test_bad_epsilon_is_refused(epsilon):
    with pytest.raises(ValueError, match=r"epsilon must be a finite number > 0, got"):
        m.laplace_mechanism(1.0, 1.0, epsilon)


@pytest.mark.parametrize("sensitivity", [0, -2.0, float("inf")])
def test_bad_sensitivity_is_refused(sensitivity):
    with pytest.raises(ValueError, match=r"sensitivity must be a finite number > 0"):
        m.laplace_mechanism(1.0, sensitivity, 1.0)


@pytest.mark.parametrize("delta", [-0.1, 1.0, 1.5])
def test_bad_delta_is_refused(delta):
    with pytest.raises(ValueError, match=r"delta must be in \[0, 1\), got"):
        m.gaussian_mechanism(1.0, 1.0, 0.5, delta)


def test_gaussian_needs_positive_delta_and_small_epsilon_for_classic():
    with pytest.raises(ValueError, match="delta must be in \\(0, 1\\)"):
        m.gaussian_sigma(1.0, 0.5, 0.0)
    with pytest.raises(ValueError, match="epsilon must be in \\(0, 1\\) for the classic"):
        m.gaussian_sigma(1.0, 2.0, 1e-5)


def test_randomized_response_refuses_empty_and_non_binary():
    with pytest.raises(ValueError, match="non-empty"):
        m.randomized_response([], 1.0)
    with pytest.raises(ValueError, match="only 0/1"):
        m.randomized_response([0, 2], 1.0)
    with pytest.raises(ValueError, match="non-empty"):
        m.estimate_proportion_from_rr([], 1.0)
