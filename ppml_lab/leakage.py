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

from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import uniform_filter
from torch import nn

from .federated import clip_update
from .seeding import as_rng
from .validation import check_positive, check_positive_int

__all__ = ["single_step_update", "infer_label", "Reconstruction", "reconstruct", "DISTANCES", "defend", "mse",
           "psnr", "ssim", "similarity"]


def _check_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
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
    images = np.asarray(images, dtype=np.float32).reshape(-1, 1, 28, 28)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if len(images) != len(labels) or len(labels) == 0:
        raise ValueError(f"images and labels must be non-empty and of equal length, "
                         f"got {len(images)} and {len(labels)}")
    gradients = _loss_gradients(model, torch.from_numpy(images), torch.from_numpy(labels))
    return [-lr * gradient.detach() for gradient in gradients]


def _last_weight(update: list[torch.Tensor]) -> torch.Tensor:
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
    """The attacker's image (28x28, clipped to [0, 1]), its label, and the gradient mismatch per evaluation."""

    image: np.ndarray
    label: int
    distances: list[float]


DISTANCES = ("l2", "cosine")


def reconstruct(model: nn.Module, update: list[torch.Tensor], lr: float = 0.1, label: int | None = None,
                iterations: int = 100, seed: int = 0, distance: str = "l2") -> Reconstruction:
    """DLG/iDLG: find the image whose single-step update from ``model`` matches ``update`` (L-BFGS).

    The attacker is the server: it knows the model it sent and the client's learning rate ``lr``.
    ``label=None`` infers the label with :func:`infer_label` (iDLG). ``distance="l2"`` minimises the
    squared L2 distance between gradients summed over parameters (Zhu et al. 2019, Algorithm 1);
    ``"cosine"`` minimises 1 - cosine similarity (Geiping et al. 2020), which ignores the update's
    scale and so sees straight through clipping.
    """
    lr = check_positive(lr, "lr")
    iterations = check_positive_int(iterations, "iterations")
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {list(DISTANCES)}, got {distance!r}")
    shapes = [p.shape for p in model.parameters()]
    if len(update) != len(shapes) or any(u.shape != s for u, s in zip(update, shapes)):
        raise ValueError(f"update must have one tensor per model parameter with shapes {[tuple(s) for s in shapes]}, "
                         f"got {[tuple(u.shape) for u in update]}")
    label = infer_label(update) if label is None else int(label)
    target = [(-u / lr).detach() for u in update]
    generator = torch.Generator().manual_seed(seed)
    dummy = torch.rand(1, 1, 28, 28, generator=generator).requires_grad_(True)
    labels = torch.tensor([label])
    optimizer = torch.optim.LBFGS([dummy], lr=1.0, max_iter=iterations, history_size=100,
                                  line_search_fn="strong_wolfe")
    distances: list[float] = []

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        gradients = _loss_gradients(model, dummy, labels, create_graph=True)
        if distance == "l2":
            mismatch = sum(((g - t) ** 2).sum() for g, t in zip(gradients, target))
        else:
            dot = sum((g * t).sum() for g, t in zip(gradients, target))
            norms = torch.sqrt(sum((g ** 2).sum() for g in gradients) * sum((t ** 2).sum() for t in target))
            mismatch = 1 - dot / (norms + 1e-12)
        mismatch.backward()
        distances.append(mismatch.item())
        return mismatch

    optimizer.step(closure)
    image = dummy.detach().clamp(0, 1).numpy().reshape(28, 28)
    return Reconstruction(image, label, distances)


def defend(update: list[torch.Tensor], max_update_norm: float, noise_multiplier: float,
           rng: np.random.Generator | int | None = 0) -> list[torch.Tensor]:
    """Clip ``update`` to L2 norm ``max_update_norm`` and add N(0, (noise_multiplier * max_update_norm)^2) noise.

    This is one client's contribution under DP-FedAvg as seen by anyone downstream of the noise;
    ``noise_multiplier=0`` clips only.
    """
    if isinstance(noise_multiplier, bool) or not isinstance(noise_multiplier, (int, float)) \
            or not np.isfinite(noise_multiplier) or noise_multiplier < 0:
        raise ValueError(f"noise_multiplier must be a finite number >= 0, got {noise_multiplier!r}")
    clipped = clip_update({str(i): u for i, u in enumerate(update)}, max_update_norm)
    generator = as_rng(rng)
    std = noise_multiplier * max_update_norm
    return [clipped[str(i)] + torch.from_numpy(generator.normal(0.0, std, size=tuple(u.shape)).astype(np.float32))
            for i, u in enumerate(update)]


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


def similarity(original: np.ndarray, reconstruction: np.ndarray) -> dict[str, float]:
    """MSE, PSNR (dB) and SSIM between an original image and its reconstruction."""
    return {"mse": mse(original, reconstruction), "psnr": psnr(original, reconstruction),
            "ssim": ssim(original, reconstruction)}
