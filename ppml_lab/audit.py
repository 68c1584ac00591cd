"""Privacy auditing: measure a lower bound on epsilon from one training run, and catch broken DP-SGD.

Taught in ``notebooks/03_membership_inference.ipynb``. The accountant's epsilon is an *upper*
bound proved for the algorithm as written; an audit attacks the algorithm as *implemented* and
turns the attack's success into a *lower* bound that holds with a stated confidence. If the lower
bound exceeds the claimed epsilon, the implementation (or its accounting) is broken.

We follow Steinke, Nasr & Jagielski 2023, "Privacy Auditing with One (1) Training Run": insert
``m`` canaries, each independently with probability 1/2, train *once*, score every canary, guess
"in" for the ``k`` highest scores and "out" for the ``k`` lowest, and count the correct guesses.
Under (epsilon, delta)-DP the count is dominated by a Binomial(r, e^eps / (1 + e^eps)) (plus a
delta term), so a large count rejects small epsilons. With delta = 0 that is exactly the one-sided
Clopper-Pearson lower bound on the guesses' precision, mapped through log(p / (1 - p)).
:func:`epsilon_lower_bound_from_rates` is the classic many-runs version (Jagielski et al. 2020;
Nasr et al. 2021): Clopper-Pearson bounds on FPR and FNR over independent training runs.

The canaries are "dead-pixel" images: one pixel that no training image uses switched on, with a
random label. Each canary's gradient lives in its own pixel's weights, so a model that saw it
remembers it unless the noise hides it - a cheap input-space stand-in for the gradient canaries
of Nasr et al. 2021.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from torch import nn

from .attacks.membership import model_logits
from .datasets import ImageDataset, check_dataset
from .seeding import as_rng
from .validation import (
    ParameterTypeError,
    check_delta,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = ["make_canaries", "canary_scores", "one_run_p_value", "epsilon_lower_bound",
           "epsilon_lower_bound_from_rates", "GUESS_FRACTIONS", "epsilon_ceiling", "AuditResult", "audit",
           "audit_dpsgd"]


def _check_confidence(confidence: float) -> float:
    return check_probability(confidence, "confidence", open_low=True, open_high=True)


def _check_counts(n_correct: int, n_guesses: int, n_canaries: int) -> tuple[int, int, int]:
    """0 <= n_correct <= n_guesses <= n_canaries, all integers."""
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    n_guesses = check_positive_int(n_guesses, "n_guesses", minimum=0)
    n_correct = check_positive_int(n_correct, "n_correct", minimum=0)
    if not n_correct <= n_guesses <= n_canaries:
        raise ValueError(f"need 0 <= n_correct <= n_guesses <= n_canaries, got n_correct={n_correct}, "
                         f"n_guesses={n_guesses}, n_canaries={n_canaries}")
    return n_correct, n_guesses, n_canaries


def make_canaries(data: ImageDataset, n_canaries: int, rng: np.random.Generator | int | None = 0,
                  n_classes: int = 10) -> ImageDataset:
    """``n_canaries`` images, each one distinct pixel that is 0 in every image of ``data``, with random labels."""
    check_dataset(data, "data")
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    rng = as_rng(rng)
    flat = data.images.reshape(len(data), -1)
    dead = np.flatnonzero(flat.max(axis=0) == 0)
    if n_canaries > len(dead):
        raise ValueError(f"n_canaries must be <= {len(dead)} (the pixels no image in data uses), got {n_canaries}")
    pixels = rng.choice(dead, size=n_canaries, replace=False)
    images = np.zeros((n_canaries, flat.shape[1]), dtype=np.float32)
    images[np.arange(n_canaries), pixels] = 1.0
    labels = rng.integers(n_classes, size=n_canaries).astype(np.int64)
    return ImageDataset(images.reshape((n_canaries, *data.images.shape[1:])), labels)


def canary_scores(model: nn.Module, canaries: ImageDataset) -> np.ndarray:
    """How much more the model believes each canary's label on the canary than on a blank image.

    log p(y | canary) - log p(y | blank): minus the loss, calibrated so that the label's own
    popularity (learnt from the real data) cancels out. Higher = more likely trained on.
    """
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    check_dataset(canaries, "canaries")
    logits = model_logits(model, np.concatenate([canaries.images, np.zeros_like(canaries.images[:1])]))
    log_probs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    rows = np.arange(len(canaries))
    return log_probs[rows, canaries.labels] - log_probs[-1, canaries.labels]


def one_run_p_value(n_correct: int, n_guesses: int, n_canaries: int, epsilon: float, delta: float = 0.0) -> float:
    """P[at least ``n_correct`` of ``n_guesses`` right] if training were (epsilon, delta)-DP.

    Steinke, Nasr & Jagielski 2023, Theorem 5.2 (as in their released code): the binomial tail
    with success probability e^eps / (1 + e^eps), plus 2 * m * delta times the worst tail slope.
    """
    n_correct, n_guesses, n_canaries = _check_counts(n_correct, n_guesses, n_canaries)
    epsilon = check_nonnegative(epsilon, "epsilon")
    delta = check_delta(delta)
    q = 1 / (1 + math.exp(-epsilon))
    tail = float(stats.binom.sf(n_correct - 1, n_guesses, q))
    if delta == 0 or n_correct == 0:
        return min(tail, 1.0)
    below = np.cumsum(stats.binom.pmf(n_correct - np.arange(1, n_correct + 1), n_guesses, q))
    slope = float(np.max(below / np.arange(1, n_correct + 1)))
    return min(tail + slope * delta * 2 * n_canaries, 1.0)


def epsilon_lower_bound(n_correct: int, n_guesses: int, n_canaries: int, delta: float = 0.0,
                        confidence: float = 0.95) -> float:
    """The largest epsilon that ``n_correct`` right guesses out of ``n_guesses`` reject at ``confidence``.

    Bisection on :func:`one_run_p_value` (Steinke et al. 2023). 0 when nothing can be rejected.
    """
    confidence = _check_confidence(confidence)
    _check_counts(n_correct, n_guesses, n_canaries)
    delta = check_delta(delta)
    alpha = 1 - confidence
    if one_run_p_value(n_correct, n_guesses, n_canaries, 0.0, delta) >= alpha:
        return 0.0
    low, high = 0.0, 1.0
    while one_run_p_value(n_correct, n_guesses, n_canaries, high, delta) < alpha:
        low, high = high, 2 * high
        if high > 1e3:  # pragma: no cover - only with absurdly many perfect guesses
            return low
    for _ in range(50):
        middle = (low + high) / 2
        if one_run_p_value(n_correct, n_guesses, n_canaries, middle, delta) < alpha:
            low = middle
        else:
            high = middle
    return low


def epsilon_lower_bound_from_rates(false_positives: int, n_negatives: int, false_negatives: int,
                                   n_positives: int, delta: float = 0.0, confidence: float = 0.95) -> float:
    """epsilon >= log((1 - delta - FNR) / FPR) with Clopper-Pearson upper bounds on FPR and FNR.

    For an attack run on *independent* training runs (Jagielski et al. 2020, Section 3; Nasr et al.
    2021): every (epsilon, delta)-DP algorithm has FPR + e^eps FNR >= 1 - delta, and the same with
    FPR and FNR swapped. The two one-sided bounds share ``1 - confidence`` (Bonferroni).
    """
    from .attacks.metrics import clopper_pearson

    confidence = _check_confidence(confidence)
    delta = check_delta(delta)
    n_negatives = check_positive_int(n_negatives, "n_negatives")
    n_positives = check_positive_int(n_positives, "n_positives")
    false_positives = check_positive_int(false_positives, "false_positives", minimum=0)
    false_negatives = check_positive_int(false_negatives, "false_negatives", minimum=0)
    if false_positives > n_negatives:
        raise ValueError(f"false_positives must be <= n_negatives = {n_negatives}, got {false_positives}")
    if false_negatives > n_positives:
        raise ValueError(f"false_negatives must be <= n_positives = {n_positives}, got {false_negatives}")
    # the upper end of a two-sided interval at `confidence` fails with probability (1 - confidence) / 2
    fpr_high = clopper_pearson(false_positives, n_negatives, confidence)[1]
    fnr_high = clopper_pearson(false_negatives, n_positives, confidence)[1]
    bounds = [0.0]
    for numerator_rate, denominator_rate in ((fnr_high, fpr_high), (fpr_high, fnr_high)):
        if 1 - delta - numerator_rate > 0 and denominator_rate > 0:
            bounds.append(math.log((1 - delta - numerator_rate) / denominator_rate))
    return max(bounds)


@dataclass(frozen=True)
class AuditResult:
    """An audit's outcome: the empirical lower bound next to the epsilon that was claimed."""

    claimed_epsilon: float
    empirical_epsilon: float
    delta: float
    confidence: float
    n_canaries: int
    n_guesses: int
    n_correct: int
    scores: np.ndarray
    included: np.ndarray
    accuracy: float | None = None
    accountant_epsilon: float | None = None  # what the accountant says for the noise actually used, if known

    @property
    def violation(self) -> bool:
        """True when the audit proves (at ``confidence``) that the claim is false."""
        return self.empirical_epsilon > self.claimed_epsilon


#: The guess sizes :func:`audit` tries by default: guess 25%, 50%, 75% and all of the canaries.
GUESS_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def _check_guess_fractions(guess_fractions: Sequence[float]) -> tuple[float, ...]:
    try:
        fractions = tuple(float(f) for f in guess_fractions)
    except (TypeError, ValueError):
        raise ParameterTypeError(f"guess_fractions must be a sequence of numbers in (0, 1], "
                                 f"got {guess_fractions!r}") from None
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise ValueError(f"guess_fractions must be non-empty fractions in (0, 1], got {list(guess_fractions)!r}")
    return fractions


def _guess_sizes(n_canaries: int, guess_fractions: Sequence[float]) -> list[int]:
    """How many canaries each fraction guesses (k "in" plus k "out"): the sizes the audit actually tries."""
    return [2 * max(1, int(round(fraction * n_canaries / 2))) for fraction in guess_fractions]


def _best_guesses(scores: np.ndarray, included: np.ndarray, n_canaries: int, delta: float, confidence: float,
                  guess_fractions: Sequence[float]) -> tuple[float, int, int]:
    """Guess top-k "in" and bottom-k "out" for each fraction; Bonferroni over the fractions tried."""
    per_test = 1 - (1 - confidence) / len(guess_fractions)
    order = np.argsort(-scores, kind="stable")
    best = (0.0, 0, 0)
    for n_guesses in _guess_sizes(n_canaries, guess_fractions):
        k = n_guesses // 2
        correct = int(included[order[:k]].sum() + (~included[order[-k:]]).sum())
        bound = epsilon_lower_bound(correct, n_guesses, n_canaries, delta, per_test)
        if bound > best[0] or best[1] == 0:
            best = (bound, n_guesses, correct)
    return best


def epsilon_ceiling(n_canaries: int, delta: float = 1e-5, confidence: float = 0.95,
                    guess_fractions: Sequence[float] = GUESS_FRACTIONS, n_included: int | None = None) -> float:
    """The largest epsilon an :func:`audit` with these settings can ever prove: a perfect attack.

    The maximum, over the guess sizes 2k the audit tries, of :func:`epsilon_lower_bound` with as
    many right guesses as possible, at the same Bonferroni-corrected confidence the audit uses.
    With ``n_included=None`` every guess is right (the ceiling before the canaries are drawn; the
    largest guess can be all right only if exactly half the canaries went in). Given
    ``n_included`` canaries in, the top k "in" guesses hold at most min(k, n_included) right ones
    and the bottom k "out" guesses at most min(k, n_canaries - n_included). An audit whose ceiling
    is below the claimed epsilon cannot refute the claim, however broken the code.
    """
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    delta = check_delta(delta)
    confidence = _check_confidence(confidence)
    fractions = _check_guess_fractions(guess_fractions)
    if n_included is not None:
        n_included = check_positive_int(n_included, "n_included", minimum=0)
        if n_included > n_canaries:
            raise ValueError(f"n_included must be in [0, n_canaries = {n_canaries}], got {n_included}")
    per_test = 1 - (1 - confidence) / len(fractions)
    bounds = []
    for n_guesses in _guess_sizes(n_canaries, fractions):
        k = n_guesses // 2
        right = n_guesses if n_included is None else min(k, n_included) + min(k, n_canaries - n_included)
        bounds.append(epsilon_lower_bound(right, n_guesses, n_canaries, delta, per_test))
    return max(bounds)


def audit(train: Callable[[ImageDataset], tuple[nn.Module, float | None]], data: ImageDataset, *,
          claimed_epsilon: float, delta: float = 1e-5, n_canaries: int = 100, confidence: float = 0.95,
          guess_fractions: Sequence[float] = GUESS_FRACTIONS, seed: int = 0) -> AuditResult:
    """Audit the training procedure ``train(dataset) -> (model, test accuracy or None)`` in one run.

    Adds each of ``n_canaries`` dead-pixel canaries to ``data`` with probability 1/2, trains once,
    scores all canaries and returns the best lower bound over ``guess_fractions`` (each: guess
    that fraction of the canaries, half "in", half "out"), Bonferroni-corrected so that the
    stated ``confidence`` holds. Steinke, Nasr & Jagielski 2023, Algorithm 1.
    """
    claimed_epsilon = check_positive(claimed_epsilon, "claimed_epsilon")
    delta = check_delta(delta)
    confidence = _check_confidence(confidence)
    guess_fractions = _check_guess_fractions(guess_fractions)
    if not callable(train):
        raise ParameterTypeError(f"train must be a function dataset -> (model, accuracy), got {type(train).__name__}")
    check_dataset(data, "data")
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    seed = check_positive_int(seed, "seed", minimum=0)
    rng = as_rng(seed)
    canaries = make_canaries(data, n_canaries, rng)
    included = rng.random(n_canaries) < 0.5
    training_set = ImageDataset(np.concatenate([data.images, canaries.images[included]]),
                                np.concatenate([data.labels, canaries.labels[included]]))
    model, accuracy = train(training_set)
    scores = canary_scores(model, canaries)
    bound, n_guesses, n_correct = _best_guesses(scores, included, n_canaries, delta, confidence, guess_fractions)
    return AuditResult(claimed_epsilon, bound, delta, confidence, n_canaries, n_guesses, n_correct, scores,
                       included, accuracy)


def audit_dpsgd(data: ImageDataset, test: ImageDataset, *, epsilon: float, delta: float = 1e-5,
                noise_scale: float = 1.0, model: str = "logistic", epochs: int = 10, batch_size: int = 128,
                lr: float = 2.0, max_grad_norm: float = 1.0, accountant: str = "rdp", n_canaries: int = 100,
                confidence: float = 0.95, seed: int = 0) -> AuditResult:
    """Audit the lab's DP-SGD (:func:`ppml_lab.dpsgd.train_dpsgd`) claiming (epsilon, delta).

    The noise multiplier is calibrated for ``epsilon`` and then multiplied by ``noise_scale``:
    1.0 is the correct implementation; 0.01 is a bug that adds 100x too little noise while the
    claim stays ``epsilon`` - the audit should catch it.
    """
    from dataclasses import replace

    from .dpsgd import ACCOUNTANTS, noise_multiplier_for, train_dpsgd
    from .models import MODELS, build_model

    epsilon = check_positive(epsilon, "epsilon")
    noise_scale = check_positive(noise_scale, "noise_scale")
    check_dataset(data, "data")
    check_dataset(test, "test")
    check_one_of(model, MODELS, "model")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    check_one_of(accountant, ACCOUNTANTS, "accountant")
    seed = check_positive_int(seed, "seed", minimum=0)
    delta = check_delta(delta)
    confidence = _check_confidence(confidence)
    n_canaries = check_positive_int(n_canaries, "n_canaries")
    spent: list[float | None] = []

    def train(training_set: ImageDataset) -> tuple[nn.Module, float]:
        sample_rate = 1 / math.ceil(len(training_set) / batch_size)  # what Opacus uses
        sigma = noise_multiplier_for(epsilon, delta, sample_rate, epochs, accountant) * noise_scale
        result = train_dpsgd(build_model(model, seed=seed), training_set, test, epsilon=epsilon, delta=delta,
                             max_grad_norm=max_grad_norm, epochs=epochs, batch_size=batch_size, lr=lr,
                             accountant=accountant, seed=seed, noise_multiplier=sigma)
        spent.append(result.epsilon)
        return result.model, result.accuracy

    result = audit(train, data, claimed_epsilon=epsilon, delta=delta, n_canaries=n_canaries,
                   confidence=confidence, seed=seed)
    return replace(result, accountant_epsilon=spent[0])
