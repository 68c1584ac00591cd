"""Gradient leakage: rebuild a client's training image from the update it sends to the server.

Taught in ``notebooks/05_federated_learning.ipynb``. The attack is Deep Leakage from Gradients
(Zhu, Liu & Han 2019) with the label read off the last layer first, as in iDLG (Zhao, Mopuri &
Bilen 2020): start from a random image and move it, by L-BFGS, until the gradient it would produce
matches the observed one (in L2 distance, or in direction as Geiping et al. 2020 do). Similarity to
the original is measured by MSE, PSNR and SSIM (Wang et al. 2004). The defences are clipping plus
Gaussian noise (:func:`defend`, as in DP-FedAvg) and summing many clients' updates (what secure
aggregation leaves the server).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import uniform_filter
from scipy.optimize import brentq
from scipy.special import log_ndtr
from torch import nn

from .federated import clip_update
from .seeding import as_rng
from .validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
)

__all__ = ["single_step_update", "infer_label", "Reconstruction", "reconstruct", "DISTANCES", "defend",
           "update_norm", "noise_to_signal", "gaussian_epsilon", "mse", "psnr", "ssim", "similarity", "PSNR_CAP"]


def _check_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    image = check_array(image, name)
    if image.size != 28 * 28:
        raise ValueError(f"{name} must hold one 28x28 image (784 values), got shape {image.shape}")
    return image.reshape(28, 28)


def _loss_gradients(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
                    create_graph: bool = False) -> list[torch.Tensor]:
    loss = nn.functional.cross_entropy(model(images), labels, reduction="sum")
    return list(torch.autograd.grad(loss, list(model.parameters()), create_graph=create_graph))


def single_step_update(model: nn.Module, images: np.ndarray, labels: np.ndarray, lr: float = 0.1) -> list[torch.Tensor]:
    """What clients send after one local SGD step from ``model``: ``-lr * gradient``, one tensor per parameter.

    Several (image, label) pairs give the *sum* of the clients' single-image updates, which is what
    the server learns under secure aggregation when each client holds one of the images.
    """
    lr = check_positive(lr, "lr")
    images = check_array(images, "images")
    if images.size % (28 * 28):
        raise ValueError(f"images must hold 28x28 images (a multiple of 784 values), got shape {images.shape}")
    images = images.astype(np.float32).reshape(-1, 1, 28, 28)
    labels = check_array(labels, "labels", dtype=np.int64).reshape(-1)
    if labels.min() < 0:
        raise ValueError(f"labels must be class indices >= 0, got {labels.min()}")
    if len(images) != len(labels):
        raise ValueError(f"images and labels must be non-empty and of equal length, "
                         f"got {len(images)} and {len(labels)}")
    gradients = _loss_gradients(model, torch.from_numpy(images), torch.from_numpy(labels))
    return [-lr * gradient.detach() for gradient in gradients]


def _last_weight(update: list[torch.Tensor]) -> torch.Tensor:
    update = _check_tensors(update, "update")
    matrices = [tensor for tensor in update if tensor.dim() == 2]
    if not matrices:
        raise ValueError("update must contain a weight matrix for the last (Linear) layer")
    return matrices[-1]


def infer_label(update: list[torch.Tensor]) -> int:
    """iDLG's label trick: the true label's row of the last layer's weight gradient is the only negative one.

    With cross-entropy, dL/dlogit_c = p_c - [c = y] is negative only for the true class, and a layer fed
    by non-negative activations (ReLU, pixels) inherits that sign in its whole row. Updates are
    ``-lr * gradient``, so the true row is the one with the *largest* sum.
    """
    return int(_last_weight(update).sum(dim=1).argmax())


@dataclass
class Reconstruction:
    """The attacker's best image (28x28, clipped to [0, 1]), its label, the gradient mismatch it reached
    (the attacker's own objective, the lower the better), which restart found it, and that restart's
    mismatch per L-BFGS evaluation."""

    image: np.ndarray
    label: int
    mismatch: float
    restart: int
    distances: list[float]


DISTANCES = ("l2", "cosine")


def _check_update(model: nn.Module, update: list[torch.Tensor]) -> list[torch.Tensor]:
    shapes = [p.shape for p in model.parameters()]
    if not isinstance(update, (list, tuple)) or not all(isinstance(u, torch.Tensor) for u in update):
        raise ParameterTypeError(f"update must be a list of tensors, one per model parameter, "
                                 f"got {type(update).__name__}")
    if len(update) != len(shapes) or any(u.shape != s for u, s in zip(update, shapes)):
        raise ValueError(f"update must have one tensor per model parameter with shapes {[tuple(s) for s in shapes]}, "
                         f"got {[tuple(u.shape) for u in update]}")
    if not all(bool(torch.isfinite(u).all()) for u in update):
        raise ValueError("update must contain only finite numbers (no NaN or inf)")
    return list(update)


def _mismatch(gradients: list[torch.Tensor], target: list[torch.Tensor], distance: str) -> torch.Tensor:
    """The attacker's objective: squared L2 distance between gradients, or 1 - their cosine similarity."""
    if distance == "l2":
        return sum(((g - t) ** 2).sum() for g, t in zip(gradients, target))
    dot = sum((g * t).sum() for g, t in zip(gradients, target))
    norms = torch.sqrt(sum((g ** 2).sum() for g in gradients) * sum((t ** 2).sum() for t in target))
    return 1 - dot / (norms + 1e-30)


def _one_restart(model: nn.Module, target: list[torch.Tensor], labels: torch.Tensor, iterations: int, seed: int,
                 distance: str) -> tuple[torch.Tensor, float, list[float]]:
    generator = torch.Generator().manual_seed(seed)
    dummy = torch.rand(1, 1, 28, 28, generator=generator, dtype=torch.float64).requires_grad_(True)
    optimizer = torch.optim.LBFGS([dummy], lr=1.0, max_iter=iterations, history_size=100,
                                  tolerance_grad=1e-12, tolerance_change=1e-14, line_search_fn="strong_wolfe")
    distances: list[float] = []

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        mismatch = _mismatch(_loss_gradients(model, dummy, labels, create_graph=True), target, distance)
        mismatch.backward()
        distances.append(mismatch.item())
        return mismatch

    optimizer.step(closure)
    final = _mismatch(_loss_gradients(model, dummy.detach(), labels), target, distance).item()
    return dummy.detach(), final, distances


def reconstruct(model: nn.Module, update: list[torch.Tensor], lr: float = 0.1, label: int | None = None,
                iterations: int = 100, seed: int = 0, distance: str = "l2", restarts: int = 1) -> Reconstruction:
    """DLG/iDLG: find the image whose single-step update from ``model`` matches ``update`` (L-BFGS).

    The attacker is the server: it knows the model it sent and the client's learning rate ``lr``.
    ``label=None`` infers the label with :func:`infer_label` (iDLG). ``distance="l2"`` minimises the
    squared L2 distance between gradients summed over parameters (Zhu et al. 2019, Algorithm 1);
    ``"cosine"`` minimises 1 - cosine similarity (Geiping et al. 2020), which ignores the update's
    scale and so sees straight through clipping.

    The optimisation is non-convex and chaotic: in float32 the last bits of a CPU's arithmetic decide
    whether a start converges. So the attack runs in float64 (on a float64 copy of ``model``), with
    tight L-BFGS tolerances, from ``restarts`` random starts (seeds ``seed``, ``seed + 1``, ...), and
    keeps the start whose final gradient mismatch is lowest: what a real attacker, who cannot compare
    with the original, would do (Zhu et al. 2019 and Geiping et al. 2020 also restart).
    """
    lr = check_positive(lr, "lr")
    iterations = check_positive_int(iterations, "iterations")
    restarts = check_positive_int(restarts, "restarts")
    distance = check_one_of(distance, DISTANCES, "distance")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ParameterTypeError(f"seed must be an integer, got {seed!r} of type {type(seed).__name__}")
    update = _check_update(model, update)
    label = infer_label(update) if label is None else int(check_positive_int(label, "label", minimum=0))
    attacked = copy.deepcopy(model).double().eval()
    for parameter in attacked.parameters():
        parameter.requires_grad_(True)
    target = [(-u.double() / lr).detach() for u in update]
    labels = torch.tensor([label])
    best: tuple[torch.Tensor, float, list[float]] | None = None
    best_restart = 0
    for restart in range(restarts):
        attempt = _one_restart(attacked, target, labels, iterations, seed + restart, distance)
        if best is None or attempt[1] < best[1]:
            best, best_restart = attempt, restart
    image = best[0].clamp(0, 1).numpy().reshape(28, 28)
    return Reconstruction(image, label, best[1], best_restart, best[2])


def defend(update: list[torch.Tensor], max_update_norm: float, noise_multiplier: float,
           rng: np.random.Generator | int | None = 0) -> list[torch.Tensor]:
    """Clip ``update`` to L2 norm ``max_update_norm`` and add N(0, (noise_multiplier * max_update_norm)^2) noise.

    This is one client's contribution under DP-FedAvg as seen by anyone downstream of the noise;
    ``noise_multiplier=0`` clips only.
    """
    max_update_norm = check_positive(max_update_norm, "max_update_norm")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    update = _check_tensors(update, "update")
    clipped = clip_update({str(i): u for i, u in enumerate(update)}, max_update_norm)
    generator = as_rng(rng)
    std = noise_multiplier * max_update_norm
    return [clipped[str(i)] + torch.from_numpy(generator.normal(0.0, std, size=tuple(u.shape))).to(u.dtype)
            for i, u in enumerate(update)]


def _check_tensors(update: list[torch.Tensor], name: str) -> list[torch.Tensor]:
    if not isinstance(update, (list, tuple)) or not all(isinstance(u, torch.Tensor) for u in update):
        raise ParameterTypeError(f"{name} must be a list of tensors, got {type(update).__name__}")
    if len(update) == 0:
        raise ValueError(f"{name} must be a non-empty list of tensors, got an empty list")
    if not all(bool(torch.isfinite(u).all()) for u in update):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return list(update)


def update_norm(update: list[torch.Tensor]) -> float:
    """The L2 norm of an update over all its parameters (computed in float64)."""
    update = _check_tensors(update, "update")
    return float(math.sqrt(sum(float((u.double() ** 2).sum()) for u in update)))


def noise_to_signal(update: list[torch.Tensor], max_update_norm: float, noise_multiplier: float) -> float:
    """Expected norm of :func:`defend`'s noise over the norm of the clipped update it hides.

    The noise has d independent N(0, (sigma * S)^2) coordinates, so its norm is about sigma * S * sqrt(d);
    the clipped update's norm is min(||update||, S). With d = 25,450 parameters, sigma = 0.01 already
    gives a noise 1.6 times the size of an update clipped to S.
    """
    max_update_norm = check_positive(max_update_norm, "max_update_norm")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    norm = update_norm(update)
    if norm == 0.0:
        raise ValueError("update must be non-zero to compare noise with it, got an all-zero update")
    n_parameters = sum(u.numel() for u in update)
    return noise_multiplier * max_update_norm * math.sqrt(n_parameters) / min(norm, max_update_norm)


def gaussian_epsilon(noise_multiplier: float, delta: float) -> float:
    """The smallest epsilon for which one Gaussian release with std ``noise_multiplier`` x sensitivity is
    (epsilon, delta)-DP: the exact privacy profile of Balle & Wang 2018 (Theorem 8), solved for epsilon.

    This is the guarantee of a single noised update (one round, no subsampling, sensitivity = the
    clipping bound S): what :func:`defend` gives the client whose update it hides.
    """
    noise_multiplier = check_positive(noise_multiplier, "noise_multiplier")
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) for the Gaussian mechanism, got 0.0")

    def delta_of(epsilon: float) -> float:  # Phi(1/(2s) - eps s) - e^eps Phi(-1/(2s) - eps s), s = sigma
        a, b = 1.0 / (2.0 * noise_multiplier), epsilon * noise_multiplier
        return float(np.exp(log_ndtr(a - b)) - np.exp(epsilon + log_ndtr(-a - b)))

    if delta_of(0.0) <= delta:
        return 0.0
    high = 1.0
    while delta_of(high) > delta:
        high *= 2.0
    return float(brentq(lambda epsilon: delta_of(epsilon) - delta, 0.0, high, xtol=1e-10, rtol=1e-12))


# --------------------------------------------------------------------------- similarity

def mse(original: np.ndarray, reconstruction: np.ndarray) -> float:
    """Mean squared error between two 28x28 images in [0, 1] (0 = identical)."""
    return float(np.mean((_check_image(original, "original") - _check_image(reconstruction, "reconstruction")) ** 2))


def psnr(original: np.ndarray, reconstruction: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1]: 10 log10(1 / MSE); higher is more alike."""
    error = mse(original, reconstruction)
    return float("inf") if error == 0 else float(10 * np.log10(1.0 / error))


def ssim(original: np.ndarray, reconstruction: np.ndarray, window: int = 7) -> float:
    """Structural similarity (Wang et al. 2004) with a ``window``-pixel square window, data range 1.

    Means, variances and covariance are taken over each window (sample covariance, as scikit-image
    does by default) and the per-pixel SSIM is averaged over the windows that fit inside the image.
    1 means identical; values near 0 mean no shared structure.
    """
    x, y = _check_image(original, "original"), _check_image(reconstruction, "reconstruction")
    window = check_positive_int(window, "window", minimum=3)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    n = window * window
    mean = lambda image: uniform_filter(image, size=window)  # noqa: E731 - local moving average
    mx, my = mean(x), mean(y)
    correction = n / (n - 1)
    vx = correction * (mean(x * x) - mx * mx)
    vy = correction * (mean(y * y) - my * my)
    cxy = correction * (mean(x * y) - mx * my)
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    pad = (window - 1) // 2
    return float(s[pad:-pad, pad:-pad].mean())


#: PSNR above this many dB is reported as this value: an RMS pixel error below 0.001, finer than 8-bit
#: quantisation (uniform rounding to 1/255 alone gives about 59 dB). Beyond it the number measures only
#: how far a CPU's float arithmetic converged, not how much of the image leaked.
PSNR_CAP = 60.0


def similarity(original: np.ndarray, reconstruction: np.ndarray) -> dict[str, float]:
    """MSE, PSNR (dB, capped at :data:`PSNR_CAP`) and SSIM between an original image and its reconstruction."""
    return {"mse": mse(original, reconstruction), "psnr": min(psnr(original, reconstruction), PSNR_CAP),
            "ssim": ssim(original, reconstruction)}
