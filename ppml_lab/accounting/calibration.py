"""Opacus's accountants for the subsampled Gaussian: epsilon spent, and sigma for a target; memoised.

One place for DP-SGD (``ppml_lab.dpsgd``) and DP-FedAvg (``ppml_lab.federated``): the PRV accountant
(Gopi et al. 2021) is the default for DP-SGD, the RDP accountant (Mironov 2017) what DP-FedAvg reports
round by round. A calibration takes about a second, and sweeps and widgets ask for the same one
once per clipping norm and seed, so both functions are cached per process.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

from ..validation import check_epsilon, check_nonnegative, check_one_of, check_positive_int, check_probability

__all__ = ["ACCOUNTANTS", "noise_multiplier_for", "epsilon_spent"]

ACCOUNTANTS = ("prv", "rdp")


def _check_accountant(accountant: str) -> str:
    return check_one_of(accountant, ACCOUNTANTS, "accountant")


def _check_sample_rate(sample_rate: float) -> float:
    return check_probability(sample_rate, "sample_rate", open_low=True)


def _check_private_delta(delta: float) -> float:
    """The Gaussian mechanism needs delta > 0 (with delta = 0 no finite epsilon exists)."""
    return check_probability(delta, "delta", open_low=True, open_high=True)


def noise_multiplier_for(epsilon: float, delta: float, sample_rate: float, epochs: int | None = None,
                         accountant: str = "prv", *, steps: int | None = None) -> float:
    """The noise multiplier sigma that spends (epsilon, delta) over ``epochs`` (or ``steps``) at ``sample_rate``.

    The same call to Opacus's ``get_noise_multiplier`` that ``make_private_with_epsilon`` makes
    (``epochs`` means ``int(epochs / sample_rate)`` steps), memoised.
    """
    epsilon, delta = check_epsilon(epsilon), _check_private_delta(delta)
    sample_rate, accountant = _check_sample_rate(sample_rate), _check_accountant(accountant)
    if (epochs is None) == (steps is None):
        raise ValueError(f"give exactly one of epochs or steps, got epochs={epochs!r} and steps={steps!r}")
    epochs = None if epochs is None else check_positive_int(epochs, "epochs")
    steps = None if steps is None else check_positive_int(steps, "steps")
    return _calibrate(epsilon, delta, sample_rate, epochs, steps, accountant)


@lru_cache(maxsize=512)
def _calibrate(epsilon: float, delta: float, sample_rate: float, epochs: int | None, steps: int | None,
               accountant: str) -> float:
    from opacus.accountants.utils import get_noise_multiplier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(get_noise_multiplier(target_epsilon=epsilon, target_delta=delta, sample_rate=sample_rate,
                                          epochs=epochs, steps=steps, accountant=accountant))


def epsilon_spent(noise_multiplier: float, sample_rate: float, steps: int, delta: float,
                  accountant: str = "prv") -> float:
    """Epsilon spent after ``steps`` Poisson-subsampled Gaussian steps (inf when there is no noise); memoised."""
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    sample_rate = _check_sample_rate(sample_rate)
    steps = check_positive_int(steps, "steps")
    delta = _check_private_delta(delta)
    accountant = _check_accountant(accountant)
    if noise_multiplier == 0:
        return math.inf
    return _spent(noise_multiplier, sample_rate, steps, delta, accountant)


@lru_cache(maxsize=512)
def _spent(noise_multiplier: float, sample_rate: float, steps: int, delta: float, accountant: str) -> float:
    from opacus.accountants import create_accountant

    tracker = create_accountant(accountant)
    tracker.history = [(noise_multiplier, sample_rate, steps)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(tracker.get_epsilon(delta=delta))
