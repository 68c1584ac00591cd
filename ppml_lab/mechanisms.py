"""Output-perturbation mechanisms: Laplace, Gaussian and randomized response.

Taught in ``notebooks/01_laplace_mechanism.ipynb``. Every mechanism takes the true answer,
the sensitivity and the privacy parameters, validates them before any work, and draws its
noise from an explicit ``rng`` (a ``numpy.random.Generator`` or a seed).

These are the *teaching* versions: textbook floating-point samplers, whose low-order bits leak
the true answer (Mironov 2012; see ``ppml_lab.attacks.floating_point``). Real releases should use
a library built against that attack, such as OpenDP (``ppml_lab.opendp_mechanisms``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from .seeding import as_rng
from .validation import ParameterTypeError, check_array, check_delta, check_epsilon, check_one_of, check_positive

__all__ = [
    "laplace_scale",
    "laplace_mechanism",
    "sample_laplace_inverse_cdf",
    "gaussian_sigma",
    "gaussian_mechanism",
    "randomized_response",
    "randomized_response_keep_probability",
    "estimate_proportion_from_rr",
]


def laplace_scale(sensitivity: float, epsilon: float) -> float:
    """Scale b = sensitivity / epsilon of the Laplace noise that gives epsilon-DP (Dwork et al. 2006)."""
    return check_positive(sensitivity, "sensitivity") / check_epsilon(epsilon)


def _check_size(size: object) -> None:
    """``size`` must be an int >= 1 or a tuple of them (as NumPy's samplers take)."""
    dims = size if isinstance(size, tuple) else (size,)
    if not dims or any(isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 1 for d in dims):
        raise ValueError(f"size must be an integer >= 1 or a tuple of them, got {size!r}")


def _check_answer(true_answer: ArrayLike) -> np.ndarray:
    """The true answer as a float array (a number or a non-empty array of finite numbers)."""
    if isinstance(true_answer, (str, bytes, bool, np.bool_)):
        raise ParameterTypeError(f"true_answer must be a number or an array of numbers, got {true_answer!r}")
    return check_array(true_answer, "true_answer")


def sample_laplace_inverse_cdf(scale: float, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Teaching version: Laplace(0, scale) noise from uniforms by inverting the CDF.

    If U ~ Uniform(-1/2, 1/2) then -scale * sign(U) * log(1 - 2|U|) ~ Laplace(0, scale).
    ``tests/test_mechanisms.py`` checks it against ``scipy.stats.laplace``.
    """
    scale = check_positive(scale, "scale")
    _check_size(size)
    if not isinstance(rng, np.random.Generator):
        raise ParameterTypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    u = rng.uniform(-0.5, 0.5, size=size)
    return -scale * np.sign(u) * np.log1p(-2.0 * np.abs(u))


def laplace_mechanism(
    true_answer: ArrayLike,
    sensitivity: float,
    epsilon: float,
    rng: np.random.Generator | int | None = None,
) -> float | np.ndarray:
    """Release ``true_answer`` + Laplace(sensitivity / epsilon) noise: epsilon-DP for an L1 sensitivity.

    ``true_answer`` may be a number or an array (each entry gets independent noise; then
    ``sensitivity`` must be the L1 sensitivity of the whole vector). A teaching version: NumPy's
    floating-point sampler lets the low-order bits of the release reveal the true answer
    (Mironov 2012, ``ppml_lab.attacks.floating_point``); release real data with
    :func:`ppml_lab.opendp_mechanisms.opendp_laplace_mechanism`.
    """
    answer = _check_answer(true_answer)
    scale = laplace_scale(sensitivity, epsilon)
    rng = as_rng(rng)
    noisy = answer + rng.laplace(0.0, scale, size=answer.shape)
    return float(noisy) if noisy.ndim == 0 else noisy


def _classic_gaussian_sigma(sensitivity: float, epsilon: float, delta: float) -> float:
    return sensitivity * math.sqrt(2.0 * math.log(1.25 / delta)) / epsilon


def _analytic_gaussian_sigma(sensitivity: float, epsilon: float, delta: float) -> float:
    """Smallest sigma meeting the exact Gaussian privacy profile (Balle & Wang 2018, Theorem 8)."""

    def delta_of(sigma: float) -> float:
        a = sensitivity / (2.0 * sigma)
        b = epsilon * sigma / sensitivity
        return stats.norm.cdf(a - b) - math.exp(epsilon) * stats.norm.cdf(-a - b)

    low, high = 1e-6 * sensitivity, _classic_gaussian_sigma(sensitivity, min(epsilon, 0.5), delta) + sensitivity
    while delta_of(high) > delta:
        high *= 2.0
    return float(optimize.brentq(lambda s: delta_of(s) - delta, low, high, xtol=1e-12))


def gaussian_sigma(sensitivity: float, epsilon: float, delta: float, method: str = "classic") -> float:
    """Standard deviation of Gaussian noise giving (epsilon, delta)-DP for an L2 sensitivity.

    ``method="classic"``: sigma = sensitivity * sqrt(2 ln(1.25 / delta)) / epsilon
    (Dwork & Roth 2014, Theorem A.1), proved only for epsilon < 1.
    ``method="analytic"``: the tight calibration of Balle & Wang 2018, valid for any epsilon > 0.
    """
    sensitivity = check_positive(sensitivity, "sensitivity")
    epsilon = check_epsilon(epsilon)
    delta = check_delta(delta)
    method = check_one_of(method, ("classic", "analytic"), "method")
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) for the Gaussian mechanism, got 0.0")
    if method == "classic":
        if epsilon >= 1.0:
            raise ValueError(
                f"epsilon must be in (0, 1) for the classic Gaussian calibration, got {epsilon!r}; "
                "use method='analytic' for larger epsilon"
            )
        return _classic_gaussian_sigma(sensitivity, epsilon, delta)
    return _analytic_gaussian_sigma(sensitivity, epsilon, delta)


def gaussian_mechanism(
    true_answer: ArrayLike,
    sensitivity: float,
    epsilon: float,
    delta: float,
    rng: np.random.Generator | int | None = None,
    method: str = "classic",
) -> float | np.ndarray:
    """Release ``true_answer`` + N(0, sigma^2) noise calibrated by :func:`gaussian_sigma`."""
    answer = _check_answer(true_answer)
    sigma = gaussian_sigma(sensitivity, epsilon, delta, method)
    rng = as_rng(rng)
    noisy = answer + rng.normal(0.0, sigma, size=answer.shape)
    return float(noisy) if noisy.ndim == 0 else noisy


def randomized_response_keep_probability(epsilon: float) -> float:
    """Probability e^eps / (1 + e^eps) that binary randomized response reports the truth."""
    epsilon = check_epsilon(epsilon)
    return 1.0 / (1.0 + math.exp(-epsilon))


def _check_bits(values: ArrayLike, name: str) -> np.ndarray:
    """A non-empty array holding only 0/1 or booleans."""
    bits = np.asarray(values, dtype=object if isinstance(values, (str, bytes)) else None)
    if bits.size == 0:
        raise ValueError(f"{name} must be non-empty, got an empty dataset (0 rows)")
    if bits.dtype.kind not in "biuf" or not np.isin(bits, (0, 1)).all():
        raise ValueError(f"{name} must contain only 0/1 or booleans")
    return bits


def randomized_response(
    true_answer: ArrayLike,
    epsilon: float,
    rng: np.random.Generator | int | None = None,
    sensitivity: float = 1.0,
) -> np.ndarray:
    """Each person reports their true bit with probability e^eps / (1 + e^eps), else its flip.

    The local model (Warner 1965; Erlingsson et al. 2014, RAPPOR): the noise is added on the
    person's own device, so the collector never sees a true answer. A yes/no answer has
    sensitivity 1 by construction; ``sensitivity`` is accepted for a uniform signature and
    must be 1.
    """
    if isinstance(sensitivity, (str, bytes)) or sensitivity != 1.0:
        raise ValueError(f"sensitivity must be 1 for binary randomized response, got {sensitivity!r}")
    keep = randomized_response_keep_probability(epsilon)
    bits = _check_bits(true_answer, "true_answer")
    rng = as_rng(rng)
    truthful = rng.random(bits.shape) < keep
    return np.where(truthful, bits.astype(int), 1 - bits.astype(int))


def estimate_proportion_from_rr(responses: ArrayLike, epsilon: float) -> float:
    """Unbiased estimate of the true proportion of 1s from randomized responses.

    E[observed] = p * pi + (1 - p) * (1 - pi), so pi_hat = (observed - (1 - p)) / (2p - 1).
    """
    keep = randomized_response_keep_probability(epsilon)
    responses = _check_bits(responses, "responses").astype(float)
    return float((responses.mean() - (1.0 - keep)) / (2.0 * keep - 1.0))
