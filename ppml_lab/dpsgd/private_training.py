"""DP-SGD with Opacus: the lab's one entry point, train_dpsgd (Abadi et al. 2016, Algorithm 1)."""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader

from ..accounting.calibration import (
    _check_accountant,
    _check_private_delta,
    epsilon_spent,
    noise_multiplier_for,
)
from ..datasets import ImageDataset, check_dataset
from ..models import check_module
from ..training import evaluate, fit, to_tensor_dataset, train_classifier
from ..validation import (
    ParameterTypeError,
    check_delta,
    check_epsilon,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
)

__all__ = ["GRAD_SAMPLE_MODES", "DPSGDResult", "choose_grad_sample_mode", "validate_model", "train_dpsgd"]

#: Opacus's exact per-sample clipping modes; ``train_dpsgd`` also takes "auto" (:func:`choose_grad_sample_mode`).
GRAD_SAMPLE_MODES = ("hooks", "functorch", "ghost")
#: Opacus adds this to every per-sample norm before dividing (avoids 0/0); the scratch version matches it.
NORM_EPSILON = 1e-6


@dataclass(frozen=True)
class DPSGDResult:
    """What one (private or baseline) training run produced and what it cost in privacy.

    The lab's result convention (frozen; first ``model``, ``accuracy``, ``epsilon``: the guarantee, None when
    not private, ``delta``, ``train_seconds``): see ``tests/test_results.py``.
    """

    model: nn.Module             # the trained plain module (unwrapped from Opacus's GradSampleModule), on CPU
    accuracy: float              # test accuracy in [0, 1]
    epsilon: float | None        # epsilon spent per the accountant (None when non-private)
    delta: float
    train_seconds: float
    noise_multiplier: float      # 0.0 when non-private
    max_grad_norm: float | None  # None when non-private
    sample_rate: float = 0.0     # Poisson sampling probability q = batch_size / n (0.0 when non-private)
    steps: int = 0               # optimizer steps taken (accounted steps when private)
    accountant: str | None = None
    grad_sample_mode: str | None = None  # the Opacus mode that clipped ("hooks", "functorch", "ghost"); None: baseline


def _check_batch(x: torch.Tensor, y: torch.Tensor) -> None:
    for name, value in (("x", x), ("y", y)):
        if not isinstance(value, torch.Tensor):
            raise ParameterTypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if len(x) == 0 or len(x) != len(y):
        raise ValueError(f"x and y must hold the same non-zero number of examples, got {len(x)} and {len(y)}")
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError("x must contain only finite numbers (no NaN or inf)")


def validate_model(model: nn.Module) -> None:
    """Raise ``ValueError`` naming every layer Opacus cannot train privately (e.g. BatchNorm) and why.

    Applies Opacus's ``ModuleValidator`` rules layer by layer, so that the message says *which* layers
    to replace (Opacus's own ``validate`` returns one anonymous, repeated error per layer).
    """
    from opacus.utils.module_utils import trainable_modules
    from opacus.validators import ModuleValidator

    check_module(model)
    problems = [] if model.training else ["the model is in eval mode (call model.train())"]
    layers_by_reason: dict[str, list[str]] = {}
    for name, layer in trainable_modules(model):
        rule = ModuleValidator.VALIDATORS.get(type(layer))
        for error in rule(layer) if rule is not None else []:
            reason = str(error).split(". ")[0].strip().rstrip(".")  # Opacus's first sentence says what is wrong
            layers_by_reason.setdefault(reason, []).append(f"'{name}' ({type(layer).__name__})")
    problems += [f"layers {', '.join(layers)}: {reason}" for reason, layers in layers_by_reason.items()]
    if problems:
        raise ValueError(f"model is not compatible with DP-SGD: {'; '.join(problems)}. Replace the offending "
                         "layers, e.g. model = opacus.validators.ModuleValidator.fix(model) turns BatchNorm into "
                         "GroupNorm.")


def choose_grad_sample_mode(model: nn.Module) -> str:
    """The fastest exact per-sample clipping mode for ``model`` on the CPU: "ghost" or "hooks".

    The rule: "ghost" (ghost clipping: Goodfellow 2015, "Efficient Per-Example Gradient Computations";
    Li et al. 2022, "Large Language Models Can Be Strong Differentially Private Learners") when every
    trainable layer is one for which Opacus computes each example's gradient *norm* without
    materialising the per-sample gradients (``nn.Linear``, ``nn.Embedding``); otherwise "hooks".
    Both clip every example's gradient exactly; they differ only in floating-point summation order.
    ``benchmarks/dpsgd_overhead.py`` measured ghost 10x faster than hooks on the MLP and 1.3x slower
    on the small CNN, whose convolutions and GroupNorm fall back to materialised per-sample gradients
    plus a second backward pass. Used by :func:`train_dpsgd` (``notebooks/02_dpsgd.ipynb``).
    """
    from opacus.grad_sample.grad_sample_module_fast_gradient_clipping import GradSampleModuleFastGradientClipping
    from opacus.utils.module_utils import trainable_modules

    check_module(model)
    layers = [type(layer) for _, layer in trainable_modules(model)]
    ghost_ready = bool(layers) and all(kind in GradSampleModuleFastGradientClipping.NORM_SAMPLERS for kind in layers)
    return "ghost" if ghost_ready else "hooks"


def train_dpsgd(model: nn.Module, train: ImageDataset, test: ImageDataset, *, epsilon: float | None,
                delta: float = 1e-5, max_grad_norm: float = 1.0, epochs: int = 5, batch_size: int = 256,
                lr: float = 0.5, accountant: str = "prv", seed: int = 0, noise_multiplier: float | None = None,
                grad_sample_mode: str = "auto", device: str = "cpu") -> DPSGDResult:
    """Train ``model`` with DP-SGD to (epsilon, delta) and report test accuracy and the epsilon spent.

    ``epsilon=None`` trains the non-private baseline with the same optimizer (plain SGD), learning
    rate, batch size and epochs (uniform shuffling instead of Poisson sampling). An explicit
    ``noise_multiplier`` overrides calibration from ``epsilon``; the reported epsilon is then what
    the accountant computes for it (``inf`` for zero noise). ``grad_sample_mode`` is one of Opacus's
    exact clipping modes (:data:`GRAD_SAMPLE_MODES`) or "auto", the fastest for the model by
    :func:`choose_grad_sample_mode`; the result records the mode used. Deterministic for a fixed ``seed`` on
    CPU: the Poisson sampler and the noise each draw from their own seeded ``torch.Generator``.
    ``device`` ("cpu", "cuda", ...) is where private training runs; the baseline reuses
    :func:`ppml_lab.training.train_classifier`, which trains on the CPU. The model is trained in
    place and returned on the CPU. Abadi et al. 2016, Algorithm 1.
    """
    check_module(model)
    check_dataset(train, "train")
    check_dataset(test, "test")
    if epsilon is not None:
        check_epsilon(epsilon)
    delta = check_delta(delta)
    if epsilon is not None or noise_multiplier is not None:
        delta = _check_private_delta(delta)
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    if batch_size > len(train):
        raise ValueError(f"batch_size must be <= the number of training examples ({len(train)}), got {batch_size}")
    lr = check_positive(lr, "lr")
    _check_accountant(accountant)
    seed = check_positive_int(seed, "seed", minimum=0)
    if noise_multiplier is not None:
        noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    check_one_of(grad_sample_mode, ("auto", *GRAD_SAMPLE_MODES), "grad_sample_mode")
    if not isinstance(device, (str, torch.device)):
        raise ParameterTypeError(f"device must be a torch device such as 'cpu' or 'cuda', got {device!r}")
    try:
        torch_device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be a torch device such as 'cpu' or 'cuda', got {device!r}") from None
    if torch_device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device must be 'cpu' on this machine (no CUDA GPU is available), got {device!r}")
    validate_model(model)
    private = epsilon is not None or noise_multiplier is not None
    if grad_sample_mode == "auto":
        grad_sample_mode = choose_grad_sample_mode(model)

    start = time.perf_counter()
    if not private:
        train_classifier(model, train, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
        return DPSGDResult(model, evaluate(model, test), None, delta, time.perf_counter() - start, 0.0, None,
                           steps=epochs * math.ceil(len(train) / batch_size))
    trained, sigma, sample_rate, steps = _train_private(
        model, train, epsilon=epsilon, delta=delta, max_grad_norm=max_grad_norm, epochs=epochs,
        batch_size=batch_size, lr=lr, accountant=accountant, seed=seed, noise_multiplier=noise_multiplier,
        grad_sample_mode=grad_sample_mode, device=torch_device)
    seconds = time.perf_counter() - start
    spent = epsilon_spent(sigma, sample_rate, steps, delta, accountant)
    return DPSGDResult(trained, evaluate(trained, test), spent, delta, seconds, sigma, max_grad_norm,
                       sample_rate=sample_rate, steps=steps, accountant=accountant, grad_sample_mode=grad_sample_mode)


def _train_private(model: nn.Module, train: ImageDataset, *, epsilon: float | None, delta: float,
                   max_grad_norm: float, epochs: int, batch_size: int, lr: float, accountant: str, seed: int,
                   noise_multiplier: float | None, grad_sample_mode: str,
                   device: torch.device) -> tuple[nn.Module, float, float, int]:
    """The Opacus loop; returns (plain model on CPU, noise multiplier, sample rate, steps taken)."""
    from opacus import PrivacyEngine

    model.to(device)
    sampler_generator = torch.Generator().manual_seed(seed)
    noise_generator = torch.Generator(device=device).manual_seed(seed + 1)
    # batch_size sets the expected Poisson batch: Opacus uses sample_rate = 1 / len(loader).
    loader = DataLoader(to_tensor_dataset(train), batch_size=batch_size, shuffle=True, generator=sampler_generator)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    common = {"module": model, "optimizer": optimizer, "data_loader": loader, "criterion": nn.CrossEntropyLoss(),
              "max_grad_norm": max_grad_norm, "poisson_sampling": True, "noise_generator": noise_generator,
              "grad_sample_mode": grad_sample_mode}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ss]ecure RNG.*")
        warnings.filterwarnings("ignore", message=".*full_backward_hook.*")
        warnings.filterwarnings("ignore", message=".*Optimal order is the (largest|smallest) alpha.*")
        engine = PrivacyEngine(accountant=accountant, secure_mode=False)
        if noise_multiplier is None:
            # What make_private_with_epsilon does (calibrate sigma, then make_private), with the
            # calibration memoised; notebooks/02_dpsgd.ipynb shows the one-call form.
            noise_multiplier = noise_multiplier_for(epsilon, delta, 1 / len(loader), epochs, accountant)
        prepared = engine.make_private(noise_multiplier=float(noise_multiplier), **common)
        if grad_sample_mode == "ghost":
            private_model, private_optimizer, criterion, private_loader = prepared
        else:
            (private_model, private_optimizer, private_loader), criterion = prepared, nn.CrossEntropyLoss()
        fit(private_model, private_loader, private_optimizer, epochs, loss_fn=criterion, device=device)
    sigma = float(private_optimizer.noise_multiplier)
    steps = sum(int(entry[2]) for entry in engine.accountant.history)
    sample_rate = 1 / len(loader)
    private_model.cleanup()  # removes Opacus's hooks and per-sample attributes from the parameters
    plain = private_model._module
    plain.zero_grad(set_to_none=True)
    return plain.to("cpu"), sigma, sample_rate, steps
