"""The floating-point attack on a textbook Laplace sampler (Mironov 2012).

Taught in ``notebooks/01_laplace_mechanism.ipynb``. On paper, x + Laplace(b) can be any real number
whatever x is. In floating point, NumPy draws a uniform U on the grid k / 2^53, computes the noise
``b * log(2U)`` (or ``-b * log(2 - 2U)``) and rounds x + noise to a double. Each true answer x
reaches only its own sparse set of doubles, and the sets for x = 0 and x = 1 barely overlap: the
low-order bits of the release say which x it came from. The attacker checks, for each candidate
true answer, whether the sampler could have produced the exact double she sees.

:func:`ppml_lab.mechanisms.laplace_mechanism` (a textbook sampler) falls to it; OpenDP's Laplace
(``ppml_lab.opendp_mechanisms``) samples exactly on a grid that contains every input, so every
input can produce every output and the check learns nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..validation import ParameterTypeError, check_array, check_finite, check_positive, check_positive_int

__all__ = ["textbook_laplace_noise", "textbook_laplace_can_output", "floating_point_attack",
           "FloatingPointAttackResult", "floating_point_attack_accuracy"]

_GRID = 2**53  # NumPy's uniform doubles are k / 2^53, k = 0 .. 2^53 - 1 (k = 0 is redrawn by its Laplace sampler)


def textbook_laplace_noise(k: int, scale: float) -> float:
    """NumPy's ``Generator.laplace(0, scale)`` for the uniform draw U = k / 2^53, operation by operation.

    Mirrors ``random_laplace`` in NumPy's ``distributions.c`` (``tests/test_floating_point.py``
    checks it bit for bit against ``Generator.laplace``).
    """
    k = check_positive_int(k, "k")
    if k >= _GRID:
        raise ValueError(f"k must be an integer in [1, 2^53 - 1], got {k!r}")
    return _noise(k, check_positive(scale, "scale"))


def _noise(k: int, scale: float) -> float:
    u = k / _GRID
    if u >= 0.5:
        return 0.0 - scale * math.log(2.0 - u - u)
    return 0.0 + scale * math.log(u + u)


def _first_at_least(g: Callable[[int], float], y: float, k0: int) -> int | None:
    """Smallest k in [1, 2^53 - 1] with g(k) >= y for a non-decreasing g, searched outward from k0."""
    low, high = 1, _GRID - 1
    if g(high) < y:
        return None
    if g(k0) >= y:  # gallop down until g < y
        right, step = k0, 1
        while k0 - step >= low and g(k0 - step) >= y:
            right, step = k0 - step, 2 * step
        left = max(k0 - step, low - 1)
    else:  # gallop up until g >= y
        left, step = k0, 1
        while k0 + step <= high and g(k0 + step) < y:
            left, step = k0 + step, 2 * step
        right = min(k0 + step, high)
    while right - left > 1:  # invariant: g(left) < y (or left below the range), g(right) >= y
        middle = (left + right) // 2
        if g(middle) >= y:
            right = middle
        else:
            left = middle
    return right


def textbook_laplace_can_output(output: float, true_answer: float, scale: float) -> bool:
    """Whether ``laplace_mechanism(true_answer, ...)`` with this noise scale can return exactly ``output``.

    The release fl(true_answer + noise(k)) never decreases as k grows, so a search over k finds
    whether some uniform draw lands exactly on ``output`` (a few dozen evaluations).
    """
    y, x = check_finite(output, "output"), check_finite(true_answer, "true_answer")
    scale = check_positive(scale, "scale")
    noise = y - x
    u = math.exp(noise / scale) / 2 if noise < 0 else 1.0 - math.exp(-noise / scale) / 2
    k0 = min(max(int(u * _GRID), 1), _GRID - 1)
    k = _first_at_least(lambda k: x + _noise(k, scale), y, k0)
    return k is not None and x + _noise(k, scale) == y


def floating_point_attack(outputs: ArrayLike, scale: float, candidates: Sequence[float] = (0.0, 1.0)
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Guess which candidate true answer produced each release; return (guesses, identified).

    A release that only one candidate can produce (``identified``) is attributed to it with
    certainty; otherwise the guess is the nearest candidate, the best that the noise itself allows.
    """
    outputs = check_array(outputs, "outputs", ndim=1)
    scale = check_positive(scale, "scale")
    candidates = _check_candidates(candidates)
    guesses, identified = np.empty(len(outputs)), np.zeros(len(outputs), bool)
    for i, y in enumerate(outputs.tolist()):
        possible = [c for c in candidates if textbook_laplace_can_output(y, c, scale)]
        identified[i] = len(possible) == 1
        guesses[i] = possible[0] if identified[i] else min(candidates, key=lambda c: (abs(y - c), c))
    return guesses, identified


def _check_candidates(candidates: Sequence[float]) -> list[float]:
    if isinstance(candidates, (str, bytes)) or not isinstance(candidates, (Sequence, np.ndarray)):
        raise ParameterTypeError(f"candidates must be a sequence of true answers, got {type(candidates).__name__}")
    values = [check_finite(c, f"candidates[{i}]") for i, c in enumerate(candidates)]
    if len(set(values)) < 2:
        raise ValueError(f"candidates must hold at least two different true answers, got {list(candidates)!r}")
    return values


@dataclass(frozen=True)
class FloatingPointAttackResult:
    """How the attack fared over ``trials`` releases from each candidate true answer."""

    accuracy: float  # fraction of releases attributed to the right true answer
    identified: float  # fraction of releases that only one candidate could produce
    identified_right: float  # among those, the fraction attributed rightly (1.0 when the bits tell the truth)
    trials: int

    def __post_init__(self) -> None:
        for name in ("accuracy", "identified", "identified_right"):
            value = getattr(self, name)
            if not (isinstance(value, float) and 0.0 <= value <= 1.0):
                raise ValueError(f"{name} must be a fraction in [0, 1], got {value!r}")
        check_positive_int(self.trials, "trials")

    @property
    def standard_error(self) -> float:
        """Binomial standard error of ``accuracy``."""
        n = 2 * self.trials
        return math.sqrt(max(self.accuracy * (1 - self.accuracy), 0.25 / n) / n)


def floating_point_attack_accuracy(release: Callable[[np.ndarray], np.ndarray], scale: float, trials: int = 2000,
                                   candidates: Sequence[float] = (0.0, 1.0)) -> FloatingPointAttackResult:
    """Release each of two neighbouring true answers ``trials`` times and attack every output.

    ``release(true_answers)`` is the mechanism under attack, called once on an array that repeats
    each candidate ``trials`` times; it must add independent noise of Laplace scale ``scale`` to each
    entry (``lambda x: laplace_mechanism(x, 1.0, epsilon, rng)`` does). The attacker knows ``scale``:
    mechanisms are public, only the noise is secret. Against a sampler other than NumPy's the
    attacker's test is simply wrong about which doubles are possible, and learns nothing from the bits.
    """
    if not callable(release):
        raise ParameterTypeError(f"release must be a function from true answers to releases, got {release!r}")
    scale = check_positive(scale, "scale")
    trials = check_positive_int(trials, "trials")
    candidates = _check_candidates(candidates)
    if len(candidates) != 2:
        raise ValueError(f"candidates must be two neighbouring true answers, got {len(candidates)}")
    truth = np.repeat(np.array(candidates, dtype=float), trials)
    outputs = np.asarray(release(truth), dtype=float)
    if outputs.shape != truth.shape:
        raise ValueError(f"release must return one release per true answer (shape {truth.shape}), got {outputs.shape}")
    guesses, identified = floating_point_attack(outputs, scale, candidates)
    right = guesses == truth
    return FloatingPointAttackResult(accuracy=float(right.mean()), identified=float(identified.mean()),
                                     identified_right=float(right[identified].mean()) if identified.any() else 0.0,
                                     trials=trials)
