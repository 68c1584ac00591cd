"""Checks for the exercises of ``notebooks/02_dpsgd.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..validation import ParameterTypeError
from . import Feedback, call_for_number, call_safely, check_close, correct, not_yet


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


__all__ = ["check_clip_per_example", "check_fixed_model", "check_noise_on_average", "check_sigma_for"]


def check_clip_per_example(clip: Callable[[np.ndarray, float], np.ndarray]) -> Feedback:
    """Exercise 1: clip each row (one example's flattened gradient) of an (n, d) array to L2 norm <= C."""
    _check_callable(clip, "clip")
    rng = np.random.default_rng(5)
    grads = rng.normal(size=(6, 4)) * np.array([[0.1], [5.0], [0.3], [20.0], [1.0], [2.0]])
    max_grad_norm = 1.0
    norms = np.linalg.norm(grads, axis=1, keepdims=True)
    expected = grads * np.minimum(1.0, max_grad_norm / norms)
    got, problem = call_safely(clip, grads.copy(), max_grad_norm)
    if problem is not None:
        return problem
    if got is None:
        return not_yet("your function returned None: return the clipped array, same shape as the input.")
    got = np.asarray(got, dtype=float)
    if got.shape != grads.shape:
        return not_yet(f"the result has shape {got.shape}; it must keep one row per example, shape {grads.shape}.")
    if np.allclose(got, grads * min(1.0, max_grad_norm / np.linalg.norm(grads)), atol=1e-6):
        return not_yet("you clipped the whole batch by its total norm. DP-SGD clips *each example's* gradient "
                       "(each row) separately, so that no single person can move the sum by more than C.")
    if np.allclose(got, grads / norms * max_grad_norm, atol=1e-6):
        return not_yet("every row now has norm exactly C: rows already shorter than C must be left unchanged "
                       "(scale by min(1, C / norm), not C / norm).")
    if np.allclose(got, np.clip(grads, -max_grad_norm, max_grad_norm), atol=1e-6):
        return not_yet("you clipped each coordinate to [-C, C]. Clip the *L2 norm* of each row instead: "
                       "scale the row by min(1, C / ||row||).")
    if not np.allclose(got, expected, atol=1e-6):
        worst = int(np.argmax(np.abs(got - expected).max(axis=1)))
        return not_yet(f"row {worst} (norm {norms[worst, 0]:.2f}) should become {np.round(expected[worst], 3)}, "
                       f"got {np.round(got[worst], 3)}.")
    return correct("each example now contributes a vector of norm at most C: that bound is the sensitivity "
                   "the Gaussian noise is calibrated to.")


def check_noise_on_average(noise_std: Callable[[float, float, int], float]) -> Feedback:
    """Exercise 2: std of the noise on the *averaged* gradient, sigma * C / B, for a few settings."""
    _check_callable(noise_std, "noise_std")
    cases = [(1.0, 1.0, 256), (2.5, 0.5, 1024), (0.8, 4.0, 64)]
    for sigma, clip, batch in cases:
        got, problem = call_for_number(noise_std, sigma, clip, batch, name="your function",
                                       what="the noise standard deviation (a float)")
        if problem is not None:
            return problem
        expected = sigma * clip / batch
        if check_close(got, expected, rel_tol=1e-9):
            continue
        if check_close(got, sigma * clip, rel_tol=1e-9):
            return not_yet("that is the noise on the *sum* of clipped gradients; the optimizer divides the sum "
                           "by the batch size B, and the noise with it.")
        if check_close(got, sigma / batch, rel_tol=1e-9):
            return not_yet("the noise std is sigma times the clipping norm C (the sensitivity), then divided by B.")
        if check_close(got, sigma * clip / np.sqrt(batch), rel_tol=1e-9):
            return not_yet("the noise is added once to the sum, not once per example, so it shrinks like 1/B, "
                           "not 1/sqrt(B).")
        return not_yet(f"for sigma={sigma}, C={clip}, B={batch} expected {expected:.5f}, got {got!r}.")
    return correct("sigma * C / B: a 4x larger batch needs a larger sigma for the same epsilon, but not 4x "
                   "larger, so the noise on each step shrinks — the 'larger batches' recipe.")


def check_fixed_model(make_model: Callable[[], object]) -> Feedback:
    """Exercise 3: turn the BatchNorm CNN into one Opacus accepts, keeping its input and output shapes."""
    _check_callable(make_model, "make_model")
    import torch
    from opacus.validators import ModuleValidator

    if isinstance(make_model, torch.nn.Module):
        raise ParameterTypeError("make_model must be a function that returns the model, got the model itself "
                                 f"({type(make_model).__name__})")

    model, problem = call_safely(make_model)
    if problem is not None:
        return problem
    if model is None:
        return not_yet("your function returned None: return the fixed model (a torch.nn.Module).")
    if not isinstance(model, torch.nn.Module):
        return not_yet(f"return a torch.nn.Module, got {type(model).__name__}.")
    errors = ModuleValidator.validate(model, strict=False)
    if errors:
        return not_yet(f"Opacus still rejects the model: {errors[0]}. Try ModuleValidator.fix(model).")
    try:
        with torch.no_grad():
            out = model.eval()(torch.zeros(2, 1, 28, 28))
    except Exception as error:  # noqa: BLE001 - the student's model may fail in any way
        return not_yet(f"the model no longer accepts a batch of 1x28x28 images: {type(error).__name__}: {error}")
    if tuple(out.shape) != (2, 10):
        return not_yet(f"the model should still output 10 class scores per image, got shape {tuple(out.shape)}.")
    return correct("GroupNorm normalises within each example, so per-sample gradients are well defined again.")


class _RecordingAccountant:
    """A cheap, monotone accountant for exercise 4 that remembers how it was called.

    epsilon = a + 2 sqrt(a log(1/delta)) with a = 2 q^2 T / sigma^2: the RDP bound 2 q^2 alpha / sigma^2 per
    step of the subsampled Gaussian (small q), composed over T steps and converted at the best order alpha.
    It is not Opacus's accountant, so ``lab.dpsgd.noise_multiplier_for`` does not give its answer; it has a
    closed-form inverse, so the check knows the exact smallest sigma.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[float, float, float]] = []

    @staticmethod
    def epsilon(noise_multiplier: float, sample_rate: float, steps: float, delta: float) -> float:
        a = 2 * sample_rate**2 * steps / noise_multiplier**2
        return a + 2 * np.sqrt(a * np.log(1 / delta))

    @staticmethod
    def smallest_sigma(target_epsilon: float, sample_rate: float, steps: float, delta: float) -> float:
        log_term = np.log(1 / delta)
        a = (np.sqrt(log_term + target_epsilon) - np.sqrt(log_term)) ** 2
        return float(sample_rate * np.sqrt(2 * steps / a))

    def __call__(self, noise_multiplier: float, sample_rate: float, steps: float, delta: float) -> float:
        values = [float(v) for v in (noise_multiplier, sample_rate, steps, delta)]
        self.calls.append((values[1], values[2], values[3]))
        if values[0] <= 0:
            return float("inf")
        if not values[1] > 0 or not values[2] > 0 or not 0 < values[3] < 1:
            raise ValueError(f"epsilon_of needs sample_rate > 0, steps > 0 and 0 < delta < 1, got "
                             f"sample_rate={sample_rate!r}, steps={steps!r}, delta={delta!r}")
        return float(self.epsilon(*values))


def _sigma_cases() -> list[tuple[float, float, int, int, int]]:
    """(target epsilon, delta, batch size, n, epochs), seeded; n is a multiple of B, so steps are whole."""
    rng = np.random.default_rng(24)
    cases = []
    while len(cases) < 3:
        batch = int(rng.choice([64, 128, 250, 256, 500]))
        n = batch * int(rng.integers(8, 120))
        epochs = int(rng.integers(2, 25))
        target, delta = float(rng.choice([0.5, 1.0, 2.0, 3.0, 8.0])), float(rng.choice([1e-5, 1e-6]))
        sigma = _RecordingAccountant.smallest_sigma(target, batch / n, epochs * n // batch, delta)
        if 0.2 < sigma < 50:
            cases.append((target, delta, batch, n, epochs))
    return cases


def check_sigma_for(sigma_for: Callable[..., float]) -> Feedback:
    """Exercise 4: the smallest noise multiplier whose epsilon after ``epochs`` epochs stays within the target.

    ``sigma_for(target_epsilon, delta, batch_size, n, epochs, epsilon_of)`` must bisect on sigma with the
    accountant ``epsilon_of(noise_multiplier, sample_rate, steps, delta)`` it is given; the check passes its own
    cheap accountant (not Opacus's) and seeded cases, and reads how it was called to name the mistake.
    """
    _check_callable(sigma_for, "sigma_for")
    for target, delta, batch, n, epochs in _sigma_cases():
        sample_rate, steps = batch / n, epochs * n // batch
        accountant = _RecordingAccountant()
        got, problem = call_safely(sigma_for, target, delta, batch, n, epochs, accountant)
        setting = f"(target epsilon {target:g}, delta {delta:g}, B = {batch}, n = {n}, {epochs} epochs)"
        rates = {round(call[0], 12) for call in accountant.calls}
        step_counts = {call[1] for call in accountant.calls}
        if problem is None and not accountant.calls:
            return not_yet("your function never called epsilon_of: the accountant is the only way to know what "
                           "a noise multiplier costs, so search over sigma and ask it at each guess.")
        if any(check_close(rate, batch, rel_tol=1e-9) for rate in rates):
            return not_yet(f"you passed the batch size B = {batch} as the sample rate. The sample rate is the "
                           "probability that one example joins a batch, B / n.")
        if any(not check_close(rate, sample_rate, rel_tol=1e-9) for rate in rates):
            return not_yet(f"epsilon_of was called with sample rate {sorted(rates)[0]:g} {setting}: it is the "
                           "probability that one example joins a batch (a number between 0 and 1).")
        if any(check_close(count, epochs, rel_tol=1e-9) for count in step_counts):
            return not_yet(f"you passed the number of epochs ({epochs}) as the number of steps. The accountant "
                           "counts noisy steps: one epoch is n / B steps.")
        if any(not check_close(count, steps, rel_tol=1e-9, abs_tol=0.5) for count in step_counts):
            return not_yet(f"epsilon_of was called with {sorted(step_counts)[0]:g} steps {setting}: "
                           "count the noisy steps of the whole training.")
        if any(not check_close(call[2], delta, rel_tol=1e-9) for call in accountant.calls):
            return not_yet("pass the target delta on to epsilon_of unchanged: epsilon is only defined for a delta.")
        if problem is not None:
            return problem
        if isinstance(got, (str, bytes, bool)) or not check_close(got, 1.0, rel_tol=1e9):  # not a finite number
            return not_yet(f"return the noise multiplier as a number, got {got!r}.")
        got = float(got)
        best = _RecordingAccountant.smallest_sigma(target, sample_rate, steps, delta)
        spent = _RecordingAccountant.epsilon(got, sample_rate, steps, delta) if got > 0 else float("inf")
        if not best / 1.05 < got < best * 1.05:
            return not_yet(f"your sigma is far from the smallest one that meets the target {setting}. Epsilon "
                           "*decreases* as sigma grows (more noise, less privacy spent): when epsilon_of(middle) "
                           "is above the target, the answer lies above middle. Check that your first bracket "
                           "holds it.")
        if spent > target * (1 + 1e-9):
            return not_yet(f"with your sigma the accountant reports epsilon {spent:.4f}, above the target {target:g} "
                           f"{setting}: return the end of the bracket that meets the target (its "
                           "epsilon is at most the target), not the one that overspends.")
        if got > best * (1 + 1e-3):
            return not_yet(f"your sigma meets the target but is {100 * (got / best - 1):.2f}% above the smallest "
                           f"one {setting}: not precise enough. Bisect until the bracket is narrower than 0.1% "
                           "of sigma.")
    return correct("sigma found by bisection on a monotone accountant, with q = B / n and epochs * n / B steps: "
                   "what make_private_with_epsilon does for you (lab.dpsgd.noise_multiplier_for).")
