"""Checks for the exercises of ``notebooks/02_dpsgd.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..validation import ParameterTypeError
from . import Feedback, call_safely, check_close, correct, not_yet


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")

__all__ = ["check_clip_per_example", "check_fixed_model", "check_noise_on_average"]


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
        got, problem = call_safely(noise_std, sigma, clip, batch)
        if problem is not None:
            return problem
        if got is None:
            return not_yet("your function returned None: return the noise standard deviation (a float).")
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
