"""The Laplace and Gaussian mechanisms from OpenDP, next to the lab's from-scratch ones.

Taught in ``notebooks/01_laplace_mechanism.ipynb``. OpenDP (https://opendp.org) samples discrete
Laplace (or Gaussian) noise exactly on the grid of multiples of 2^k (by default the finest, 2^-1074,
on which every double lies) and rounds only the final result, so every input can produce every
output and the low-order bits of a release say nothing about the input: the
floating-point attack of Mironov 2012 (``ppml_lab.attacks.floating_point``) that breaks
:func:`ppml_lab.mechanisms.laplace_mechanism` fails against it. OpenDP draws from the operating
system's cryptographic randomness, so its releases cannot be seeded (by design: a seed an
attacker can guess is no noise at all).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .mechanisms import _check_answer, gaussian_sigma, laplace_scale
from .validation import check_delta, check_positive

__all__ = ["opendp_laplace_mechanism", "opendp_gaussian_mechanism", "opendp_gaussian_epsilon"]


def _dp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _space(answer: np.ndarray, distance: str):
    """OpenDP's input domain and metric: one float (absolute distance) or a vector (L1 or L2 distance)."""
    dp = _dp()
    if answer.ndim == 0:
        return dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float)
    if answer.ndim != 1:
        raise ValueError(f"true_answer must be a number or a one-dimensional array, got shape {answer.shape}")
    metric = dp.l1_distance(T=float) if distance == "l1" else dp.l2_distance(T=float)
    return dp.vector_domain(dp.atom_domain(T=float, nan=False)), metric


def _release(measurement, answer: np.ndarray) -> float | np.ndarray:
    return float(measurement(float(answer))) if answer.ndim == 0 else np.asarray(measurement(answer.tolist()), float)


def opendp_laplace_mechanism(true_answer: ArrayLike, sensitivity: float, epsilon: float) -> float | np.ndarray:
    """Release ``true_answer`` + Laplace(sensitivity / epsilon) noise with OpenDP's ``make_laplace``.

    Same signature and noise scale as :func:`ppml_lab.mechanisms.laplace_mechanism`, without ``rng``
    (OpenDP cannot be seeded). OpenDP's own privacy map certifies the epsilon before anything is released.
    """
    answer = _check_answer(true_answer)
    scale = laplace_scale(sensitivity, epsilon)
    measurement = _dp().m.make_laplace(*_space(answer, "l1"), scale=scale)
    certified = measurement.map(float(sensitivity))
    if certified > float(epsilon) * (1 + 1e-9):
        raise RuntimeError(f"OpenDP certifies epsilon={certified!r} for this scale, more than epsilon={epsilon!r}")
    return _release(measurement, answer)


def opendp_gaussian_mechanism(true_answer: ArrayLike, sensitivity: float, epsilon: float, delta: float,
                              method: str = "classic") -> float | np.ndarray:
    """Release ``true_answer`` + N(0, sigma^2) with OpenDP's ``make_gaussian``, sigma from :func:`gaussian_sigma`.

    Same signature and sigma as :func:`ppml_lab.mechanisms.gaussian_mechanism`, without ``rng``.
    OpenDP accounts for this noise in zero-concentrated DP; :func:`opendp_gaussian_epsilon` converts it back.
    """
    answer = _check_answer(true_answer)
    sigma = gaussian_sigma(sensitivity, epsilon, delta, method)
    return _release(_dp().m.make_gaussian(*_space(answer, "l2"), scale=sigma), answer)


def opendp_gaussian_epsilon(sensitivity: float, sigma: float, delta: float) -> float:
    """The epsilon that OpenDP's own accounting certifies at ``delta`` for Gaussian noise of std ``sigma``.

    OpenDP proves rho-zCDP with rho = sensitivity^2 / (2 sigma^2) (Bun & Steinke 2016) and converts
    it to (epsilon, delta)-DP (Canonne, Kamath & Steinke 2020); an independent check of
    :func:`ppml_lab.mechanisms.gaussian_sigma`.
    """
    sensitivity = check_positive(sensitivity, "sensitivity")
    sigma = check_positive(sigma, "sigma")
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) for the Gaussian mechanism, got 0.0")
    dp = _dp()
    measurement = dp.m.make_gaussian(*_space(np.asarray(0.0), "l2"), scale=sigma)
    profile = dp.c.make_zCDP_to_approxDP(measurement).map(sensitivity)
    return float(profile.epsilon(delta))


