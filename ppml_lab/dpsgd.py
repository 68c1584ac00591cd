"""DP-SGD: per-sample clipping plus Gaussian noise, trained with Opacus and shown from scratch.

Taught in ``notebooks/02_dpsgd.ipynb``. :func:`train_dpsgd` is the lab's one entry point (Opacus's
``PrivacyEngine.make_private_with_epsilon`` with Poisson sampling and the PRV or RDP accountant);
:func:`privatized_gradient` is the few-dozen-line teaching version of one step that a test checks
against Opacus. Follows Abadi et al. 2016, "Deep Learning with Differential Privacy", Algorithm 1.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from .datasets import ImageDataset
from .training import evaluate, to_tensor_dataset, train_classifier
from .validation import (
    ParameterTypeError,
    check_delta,
    check_epsilon,
    check_nonempty,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = [
    "ACCOUNTANTS",
    "GRAD_SAMPLE_MODES",
    "DPSGDResult",
    "add_gaussian_noise",
    "clip_per_sample",
    "diffprivlib_accuracy",
    "epsilon_spent",
    "noise_multiplier_for",
    "per_sample_gradient_norms",
    "per_sample_gradients",
    "privatized_gradient",
    "train_dpsgd",
    "tune_diffprivlib",
    "validate_model",
]

ACCOUNTANTS = ("prv", "rdp")
GRAD_SAMPLE_MODES = ("hooks", "functorch", "ghost")
#: Opacus adds this to every per-sample norm before dividing (avoids 0/0); the scratch version matches it.
NORM_EPSILON = 1e-6


@dataclass
class DPSGDResult:
    """What one (private or baseline) training run produced and what it cost in privacy."""

    model: nn.Module             # the trained plain module (unwrapped from Opacus's GradSampleModule), on CPU
    accuracy: float              # test accuracy in [0, 1]
    epsilon: float | None        # epsilon spent per the accountant (None when non-private)
    delta: float
    noise_multiplier: float      # 0.0 when non-private
    max_grad_norm: float | None  # None when non-private
    train_seconds: float
    sample_rate: float = 0.0     # Poisson sampling probability q = batch_size / n (0.0 when non-private)
    steps: int = 0               # optimizer steps taken (accounted steps when private)
    accountant: str | None = None


def _check_module(model: nn.Module, name: str = "model") -> nn.Module:
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    return model


def _check_dataset(data: ImageDataset, name: str) -> ImageDataset:
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"{name} must be a ppml_lab.datasets.ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, name)
    return data


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

    _check_module(model)
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


def _check_accountant(accountant: str) -> str:
    return check_one_of(accountant, ACCOUNTANTS, "accountant")


def _check_sample_rate(sample_rate: float) -> float:
    return check_probability(sample_rate, "sample_rate", open_low=True)


def _check_private_delta(delta: float) -> float:
    """DP-SGD's Gaussian noise needs delta > 0 (with delta = 0 no finite epsilon exists)."""
    return check_probability(delta, "delta", open_low=True, open_high=True)


def noise_multiplier_for(epsilon: float, delta: float, sample_rate: float, epochs: int,
                         accountant: str = "prv") -> float:
    """The noise multiplier sigma that spends (epsilon, delta) over ``epochs`` at ``sample_rate``.

    The same call to Opacus's ``get_noise_multiplier`` that ``make_private_with_epsilon`` makes,
    memoised: the PRV accountant takes about a second per calibration, and a sweep or a widget
    asks for the same (epsilon, sample rate, epochs) once per clipping norm and seed.
    """
    return _calibrate(check_epsilon(epsilon), _check_private_delta(delta), _check_sample_rate(sample_rate),
                      check_positive_int(epochs, "epochs"), _check_accountant(accountant))


@lru_cache(maxsize=512)
def _calibrate(epsilon: float, delta: float, sample_rate: float, epochs: int, accountant: str) -> float:
    from opacus.accountants.utils import get_noise_multiplier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(get_noise_multiplier(target_epsilon=epsilon, target_delta=delta, sample_rate=sample_rate,
                                          epochs=epochs, accountant=accountant))


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


def train_dpsgd(model: nn.Module, train: ImageDataset, test: ImageDataset, *, epsilon: float | None,
                delta: float = 1e-5, max_grad_norm: float = 1.0, epochs: int = 5, batch_size: int = 256,
                lr: float = 0.5, accountant: str = "prv", seed: int = 0, noise_multiplier: float | None = None,
                grad_sample_mode: str = "hooks", device: str = "cpu") -> DPSGDResult:
    """Train ``model`` with DP-SGD to (epsilon, delta) and report test accuracy and the epsilon spent.

    ``epsilon=None`` trains the non-private baseline with the same optimizer (plain SGD), learning
    rate, batch size and epochs (uniform shuffling instead of Poisson sampling). An explicit
    ``noise_multiplier`` overrides calibration from ``epsilon``; the reported epsilon is then what
    the accountant computes for it (``inf`` for zero noise). Deterministic for a fixed ``seed`` on
    CPU: the Poisson sampler and the noise each draw from their own seeded ``torch.Generator``.
    ``device`` ("cpu", "cuda", ...) is where private training runs; the baseline reuses
    :func:`ppml_lab.training.train_classifier`, which trains on the CPU. The model is trained in
    place and returned on the CPU. Abadi et al. 2016, Algorithm 1.
    """
    _check_module(model)
    _check_dataset(train, "train")
    _check_dataset(test, "test")
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
    check_one_of(grad_sample_mode, GRAD_SAMPLE_MODES, "grad_sample_mode")
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

    start = time.perf_counter()
    if not private:
        train_classifier(model, train, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
        return DPSGDResult(model, evaluate(model, test), None, delta, 0.0, None, time.perf_counter() - start,
                           steps=epochs * math.ceil(len(train) / batch_size))
    trained, sigma, sample_rate, steps = _train_private(
        model, train, epsilon=epsilon, delta=delta, max_grad_norm=max_grad_norm, epochs=epochs,
        batch_size=batch_size, lr=lr, accountant=accountant, seed=seed, noise_multiplier=noise_multiplier,
        grad_sample_mode=grad_sample_mode, device=torch_device)
    seconds = time.perf_counter() - start
    spent = epsilon_spent(sigma, sample_rate, steps, delta, accountant)
    return DPSGDResult(trained, evaluate(trained, test), spent, delta, sigma, max_grad_norm, seconds,
                       sample_rate=sample_rate, steps=steps, accountant=accountant)


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
        private_model.train()
        for _ in range(epochs):
            for x, y in private_loader:
                x, y = x.to(device), y.to(device)
                private_optimizer.zero_grad()
                loss = criterion(private_model(x), y)
                loss.backward()
                private_optimizer.step()
    sigma = float(private_optimizer.noise_multiplier)
    steps = sum(int(entry[2]) for entry in engine.accountant.history)
    sample_rate = 1 / len(loader)
    private_model.cleanup()  # removes Opacus's hooks and per-sample attributes from the parameters
    plain = private_model._module
    plain.zero_grad(set_to_none=True)
    return plain.to("cpu"), sigma, sample_rate, steps


# ---------------------------------------------------------------------------------------------------
# From scratch, for teaching: one DP-SGD gradient in a few dozen lines (tests/test_dpsgd.py checks it
# against Opacus on the same model, batch, clipping norm and noise).
# ---------------------------------------------------------------------------------------------------

def per_sample_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gradient of each example's loss, stacked along a new first axis: {name: (batch, *param.shape)}."""
    _check_module(model)
    _check_batch(x, y)
    from torch.func import functional_call, grad, vmap

    params = {name: p.detach() for name, p in model.named_parameters()}

    def loss_of_one(parameters: dict[str, torch.Tensor], xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
        logits = functional_call(model, parameters, (xi.unsqueeze(0),))
        return nn.functional.cross_entropy(logits, yi.unsqueeze(0))

    return vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, x, y)


def _check_grads(grads: dict[str, torch.Tensor], name: str) -> None:
    if not isinstance(grads, dict) or not all(isinstance(g, torch.Tensor) for g in grads.values()):
        raise ParameterTypeError(f"{name} must be a dict of torch.Tensor (one per parameter), got "
                                 f"{type(grads).__name__}")
    if not grads:
        raise ValueError(f"{name} must be non-empty, got an empty dict")
    if not all(bool(torch.isfinite(g).all()) for g in grads.values()):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")


def clip_per_sample(grads: dict[str, torch.Tensor], max_grad_norm: float) -> dict[str, torch.Tensor]:
    """Scale each example's whole gradient (all parameters together) to L2 norm at most ``max_grad_norm``."""
    _check_grads(grads, "grads")
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    flat = torch.cat([g.reshape(len(g), -1) for g in grads.values()], dim=1)
    norms = flat.norm(2, dim=1)
    factor = (max_grad_norm / (norms + NORM_EPSILON)).clamp(max=1.0)
    return {name: torch.einsum("i,i...->i...", factor, g) for name, g in grads.items()}


def add_gaussian_noise(summed: dict[str, torch.Tensor], noise_multiplier: float, max_grad_norm: float,
                       generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Add N(0, (noise_multiplier * max_grad_norm)^2) to every coordinate of the summed clipped gradient."""
    _check_grads(summed, "summed")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ParameterTypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    std = noise_multiplier * max_grad_norm
    if std == 0:  # like Opacus: no draw at all, so the generator's stream is not advanced
        return dict(summed)
    return {name: g + torch.normal(0.0, std, size=g.shape, generator=generator, device=g.device)
            for name, g in summed.items()}


def privatized_gradient(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, max_grad_norm: float,
                        noise_multiplier: float, expected_batch_size: int | None = None,
                        generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """One DP-SGD gradient: per-sample grads, clip each, sum, add Gaussian noise, divide by the batch size.

    ``expected_batch_size`` is the divisor (Poisson sampling's expected batch, as in Opacus);
    it defaults to ``len(x)``. Abadi et al. 2016, Algorithm 1, lines 4-7.
    """
    _check_module(model)
    _check_batch(x, y)
    max_grad_norm = check_positive(max_grad_norm, "max_grad_norm")
    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    if expected_batch_size is not None:
        expected_batch_size = check_positive_int(expected_batch_size, "expected_batch_size")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ParameterTypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    clipped = clip_per_sample(per_sample_gradients(model, x, y), max_grad_norm)
    summed = {name: g.sum(dim=0) for name, g in clipped.items()}
    noisy = add_gaussian_noise(summed, noise_multiplier, max_grad_norm, generator)
    divisor = expected_batch_size or len(x)
    return {name: g / divisor for name, g in noisy.items()}


# ---------------------------------------------------------------------------------------------------
# The practitioner's alternative, side by side: IBM diffprivlib's differentially private logistic regression.
# ---------------------------------------------------------------------------------------------------

def _diffprivlib_logistic_regression_class() -> type:
    """diffprivlib's ``LogisticRegression``, made importable under scikit-learn >= 1.8.

    diffprivlib 0.6.6 imports ``DOUBLE``/``DTYPE`` from ``sklearn.tree._tree`` (gone in 1.9) and passes
    ``multi_class='ovr'`` to scikit-learn (removed in 1.8). Both are restored here without changing
    what diffprivlib computes (one-vs-rest, objective perturbation, Chaudhuri et al. 2011); with an
    older scikit-learn the original class is returned unchanged.
    """
    import sklearn.tree._tree as sklearn_tree

    for name, dtype in (("DOUBLE", np.float64), ("DTYPE", np.float32)):
        if not hasattr(sklearn_tree, name):
            setattr(sklearn_tree, name, dtype)
    from diffprivlib.accountant import BudgetAccountant
    from diffprivlib.models import LogisticRegression
    from sklearn import linear_model

    try:
        linear_model.LogisticRegression(multi_class="ovr")
        return LogisticRegression
    except TypeError:
        pass

    class CompatibleLogisticRegression(LogisticRegression):
        def __init__(self, *, epsilon=1.0, data_norm=None, tol=1e-4, C=1.0, fit_intercept=True, max_iter=100,
                     verbose=0, warm_start=False, n_jobs=None, random_state=None, accountant=None):
            linear_model.LogisticRegression.__init__(self, tol=tol, C=C, fit_intercept=fit_intercept,
                                                     random_state=random_state, solver="lbfgs", max_iter=max_iter,
                                                     verbose=verbose, warm_start=warm_start, n_jobs=n_jobs)
            self.epsilon, self.data_norm, self.classes_ = epsilon, data_norm, None
            self.accountant = BudgetAccountant.load_default(accountant)

    CompatibleLogisticRegression.__name__ = CompatibleLogisticRegression.__qualname__ = "LogisticRegression"
    return CompatibleLogisticRegression


def diffprivlib_accuracy(train: ImageDataset, test: ImageDataset, *, epsilon: float, data_norm: float,
                         seed: int = 0, inverse_regularization: float = 1.0) -> float:
    """Test accuracy of diffprivlib's epsilon-DP logistic regression trained on flattened ``train``.

    ``data_norm`` must bound every example's L2 norm *without looking at the data* (28 for 28x28 pixels
    in [0, 1]; the number of cells for :func:`ppml_lab.features.hog_features`); diffprivlib clips each
    example to it, so a smaller value is a clipping norm (a hyper-parameter to choose on held-out data).
    ``inverse_regularization`` is scikit-learn's ``C`` (smaller: stronger L2 regularisation, which in
    objective perturbation also shrinks the noise's effect). Pure epsilon-DP (delta = 0), one-vs-rest:
    each of the k classes gets epsilon / k. Chaudhuri, Monteleoni & Sarwate 2011 (objective perturbation).
    """
    _check_dataset(train, "train")
    _check_dataset(test, "test")
    epsilon = check_epsilon(epsilon)
    data_norm = check_positive(data_norm, "data_norm")
    seed = check_positive_int(seed, "seed", minimum=0)
    inverse_regularization = check_positive(inverse_regularization, "inverse_regularization")
    estimator = _diffprivlib_logistic_regression_class()
    from diffprivlib.accountant import (
        BudgetAccountant,  # after the class: importing diffprivlib needs the shim
    )

    model = estimator(epsilon=epsilon, data_norm=data_norm, random_state=seed, C=inverse_regularization,
                      accountant=BudgetAccountant())
    from threadpoolctl import threadpool_limits

    flat = np.asarray(train.images, dtype=np.float64).reshape(len(train), -1)
    # one BLAS thread: these small fits run several times faster than with threads competing for two cores
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        model.fit(flat, train.labels)
        return float(model.score(np.asarray(test.images, dtype=np.float64).reshape(len(test), -1), test.labels))


def tune_diffprivlib(fit: ImageDataset, validation: ImageDataset, *, epsilon: float, data_norms: Sequence[float],
                     inverse_regularizations: Sequence[float] = (1.0,), seed: int = 0) -> tuple[float, float, float]:
    """diffprivlib's own hyper-parameters chosen on held-out data: (data_norm, inverse_regularization, accuracy).

    Fits one model per pair on ``fit`` and keeps the pair with the best accuracy on ``validation``
    (the first on a tie), so that the comparison with DP-SGD is fair without touching the test set.
    Each candidate ``data_norm`` must itself be a public bound or a clipping norm chosen without the data.
    """
    _check_dataset(fit, "fit")
    _check_dataset(validation, "validation")
    epsilon = check_epsilon(epsilon)
    grids = {}
    for name, values in (("data_norms", data_norms), ("inverse_regularizations", inverse_regularizations)):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ParameterTypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
        grids[name] = [check_positive(value, name) for value in values]
        if not grids[name]:
            raise ValueError(f"{name} must be non-empty, got an empty sequence")
    seed = check_positive_int(seed, "seed", minimum=0)
    scored = [(diffprivlib_accuracy(fit, validation, epsilon=epsilon, data_norm=norm, seed=seed,
                                    inverse_regularization=c), norm, c)
              for norm in grids["data_norms"] for c in grids["inverse_regularizations"]]
    accuracy, norm, c = max(scored, key=lambda row: row[0])
    return norm, c, accuracy


def per_sample_gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """L2 norm of each example's whole gradient (all parameters), as a NumPy array of length ``len(x)``."""
    _check_module(model)
    _check_batch(x, y)
    grads = per_sample_gradients(model, x, y)
    return torch.cat([g.reshape(len(g), -1) for g in grads.values()], dim=1).norm(2, dim=1).numpy()
