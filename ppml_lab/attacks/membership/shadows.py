"""Training the target and its shadow models with one recipe (Shokri et al. 2017; Carlini et al. 2022)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field

import numpy as np
from torch import nn

from ...cache import cached, data_fingerprint
from ...datasets import ImageDataset, check_dataset
from ...models import MODELS, build_model, check_module
from ...progress import Progress
from ...seeding import as_rng
from ...training import train_classifier
from ...validation import (
    ParameterTypeError,
    check_delta,
    check_nonempty,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
)
from .observations import model_logits

__all__ = ["NO_CLIPPING", "TrainingRecipe", "ShadowModels", "train_shadow_models", "train_target"]


#: The clipping norm that stands for "no clipping" in the DP-SGD pipeline: no gradient of these models comes near it.
NO_CLIPPING = 1e20


@dataclass(frozen=True)
class TrainingRecipe:
    """How the target is trained; shadows copy it. ``epsilon=None`` is plain SGD, otherwise DP-SGD.

    Plain SGD goes through :func:`ppml_lab.training.train_classifier`; DP-SGD through
    :func:`ppml_lab.dpsgd.train_dpsgd` (Poisson sampling, no momentum, so ``momentum`` must be 0).
    To take DP-SGD apart, ``epsilon=math.inf`` runs the same DP-SGD pipeline with no noise
    (noise multiplier 0), and ``max_grad_norm=None`` (only with ``epsilon=math.inf``) also turns
    clipping off: the recipe at "epsilon = infinity". The recipe is also the cache key of every
    model trained with it.
    """

    model: str = "mlp"
    epochs: int = 30
    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.0
    epsilon: float | None = None
    delta: float = 1e-5
    max_grad_norm: float | None = 1.0
    accountant: str = "rdp"
    grad_sample_mode: str = "ghost"

    def __post_init__(self) -> None:
        check_one_of(self.model, MODELS, "model")
        check_positive_int(self.epochs, "epochs")
        check_positive_int(self.batch_size, "batch_size")
        check_positive(self.lr, "lr")
        momentum = check_nonnegative(self.momentum, "momentum")
        if momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.epsilon is not None:
            if not isinstance(self.epsilon, (int, float)) or isinstance(self.epsilon, bool):
                raise ParameterTypeError(f"epsilon must be a number > 0, math.inf or None, got {self.epsilon!r}")
            if math.isnan(self.epsilon) or self.epsilon <= 0:
                raise ValueError(f"epsilon must be a number > 0, math.inf (no noise) or None (plain SGD), "
                                 f"got {self.epsilon!r}")
            if momentum != 0:
                raise ValueError(f"momentum must be 0 with DP-SGD (train_dpsgd uses plain SGD), got {self.momentum!r}")
        check_delta(self.delta)
        if self.max_grad_norm is None:
            if self.epsilon != math.inf:
                raise ValueError("max_grad_norm may be None (no clipping) only with epsilon=math.inf (no noise): "
                                 f"DP noise is calibrated to the clipping norm; got epsilon={self.epsilon!r}")
        else:
            check_positive(self.max_grad_norm, "max_grad_norm")
        check_one_of(self.accountant, ("prv", "rdp"), "accountant")
        check_one_of(self.grad_sample_mode, ("hooks", "functorch", "ghost"), "grad_sample_mode")

    @property
    def private(self) -> bool:
        """True when training is (epsilon, delta)-DP for a finite epsilon."""
        return self.epsilon is not None and math.isfinite(self.epsilon)

    @property
    def uses_dpsgd(self) -> bool:
        """True when training goes through the DP-SGD pipeline (with or without noise and clipping)."""
        return self.epsilon is not None

    def describe(self) -> str:
        """A short name for tables and legends: what this recipe adds or removes."""
        if not self.uses_dpsgd:
            return f"SGD{' + momentum' if self.momentum else ''}, {self.epochs} epochs"
        if self.private:
            return f"DP-SGD, ε = {self.epsilon:g}"
        return "DP-SGD recipe, clip only" if self.max_grad_norm is not None else "DP-SGD recipe, no clip, no noise"

    def noise_multiplier(self, n_train: int) -> float:
        """The DP-SGD noise multiplier for ``n_train`` examples (what Opacus's calibration picks); 0 without noise."""
        from ...dpsgd import noise_multiplier_for

        if not self.private:
            return 0.0
        sample_rate = 1 / math.ceil(n_train / self.batch_size)  # Opacus: 1 / len(data_loader)
        return cached("membership_noise", {"recipe": asdict(self), "n_train": n_train},
                      lambda: noise_multiplier_for(self.epsilon, self.delta, sample_rate, self.epochs,
                                                   self.accountant))

    def train(self, data: ImageDataset, seed: int) -> nn.Module:
        """A fresh model (initialised from ``seed``) trained on ``data`` with this recipe."""
        check_nonempty(data.labels, "data")
        seed = check_positive_int(seed, "seed", minimum=0)
        model = build_model(self.model, seed=seed)
        if not self.uses_dpsgd:
            train_classifier(model, data, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, seed=seed)
            return model
        from ...dpsgd import train_dpsgd

        sigma = self.noise_multiplier(len(data))
        clip = NO_CLIPPING if self.max_grad_norm is None else self.max_grad_norm
        probe = ImageDataset(data.images[:1], data.labels[:1])  # train_dpsgd wants a test set; we evaluate elsewhere
        return train_dpsgd(model, data, probe, epsilon=self.epsilon if self.private else None, delta=self.delta,
                           max_grad_norm=clip, epochs=self.epochs, batch_size=self.batch_size,
                           lr=self.lr, accountant=self.accountant, seed=seed, noise_multiplier=sigma,
                           grad_sample_mode=self.grad_sample_mode).model


def _row_keys(data: ImageDataset) -> list[bytes]:
    """One key per example (image bytes + label), to find candidates inside a shadow pool."""
    images = np.ascontiguousarray(data.images.reshape(len(data), -1))
    return [hashlib.blake2b(images[i].tobytes() + int(data.labels[i]).to_bytes(8, "little"),
                            digest_size=12).digest() for i in range(len(data))]


def _check_recipe(recipe: TrainingRecipe) -> TrainingRecipe:
    if not isinstance(recipe, TrainingRecipe):
        raise ParameterTypeError(f"recipe must be a TrainingRecipe, got {type(recipe).__name__}")
    return recipe


@dataclass
class ShadowModels:
    """Models trained like the target on random halves of (part of) the attacker's pool ``data``.

    ``in_mask[j, i]`` says whether pool example ``i`` was in shadow ``j``'s training set; the
    attacker knows it because it trained them.
    """

    models: list[nn.Module]
    data: ImageDataset
    in_mask: np.ndarray
    _pool_logits: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.models, list) or not self.models:
            raise ValueError(f"models must be a non-empty list of torch modules, got {self.models!r}")
        for model in self.models:
            check_module(model, "models")
        check_dataset(self.data, "data")
        self.in_mask = np.asarray(self.in_mask)
        if self.in_mask.dtype != bool or self.in_mask.shape != (len(self.models), len(self.data)):
            raise ValueError(f"in_mask must be a boolean array of shape (len(models), len(data)) = "
                             f"({len(self.models)}, {len(self.data)}), got {self.in_mask.dtype} {self.in_mask.shape}")

    def __len__(self) -> int:
        return len(self.models)

    def __add__(self, other: ShadowModels) -> ShadowModels:
        """Both families together (they must share the pool, e.g. one trained on it, one on a disjoint part)."""
        if not isinstance(other, ShadowModels):
            return NotImplemented
        if data_fingerprint(self.data.images) != data_fingerprint(other.data.images):
            raise ValueError("other must be trained on the same pool data to combine shadow families")
        return ShadowModels(self.models + other.models, self.data, np.vstack([self.in_mask, other.in_mask]))

    def subset(self, which: np.ndarray | list[int]) -> ShadowModels:
        """The shadows at positions ``which``."""
        which = np.asarray(which, dtype=int)
        if which.ndim != 1 or not which.size or which.min() < 0 or which.max() >= len(self):
            raise ValueError(f"which must list positions in [0, {len(self)}), got {which!r}")
        logits = None if self._pool_logits is None else self._pool_logits[which]
        return ShadowModels([self.models[j] for j in which], self.data, self.in_mask[which], logits)

    def pool_logits(self) -> np.ndarray:
        """Each shadow's logits on the whole pool, shape (n_shadows, n_pool, n_classes), computed once."""
        if self._pool_logits is None:
            self._pool_logits = np.stack([model_logits(m, self.data.images) for m in self.models])
        return self._pool_logits

    def membership(self, candidates: ImageDataset) -> np.ndarray:
        """(n_shadows, n_candidates) bool: was candidate ``i`` in shadow ``j``'s training set?

        Candidates are matched to pool examples by content; a candidate outside the pool was in none.
        """
        check_dataset(candidates, "candidates")
        index = {key: i for i, key in enumerate(_row_keys(self.data))}
        positions = np.array([index.get(key, -1) for key in _row_keys(candidates)])
        mask = np.zeros((len(self), len(candidates)), dtype=bool)
        known = positions >= 0
        mask[:, known] = self.in_mask[:, positions[known]]
        return mask


def _train_on_halves(recipe: TrainingRecipe, data: ImageDataset, n_models: int, eligible: np.ndarray,
                     seed: int, progress: bool, description: str) -> ShadowModels:
    rng = as_rng(seed)
    in_mask = np.zeros((n_models, len(data)), dtype=bool)
    models = []
    data_key = data_fingerprint(data.images) + data_fingerprint(data.labels)
    for j in Progress(range(n_models), desc=description, disable=not progress):
        chosen = np.sort(rng.permutation(eligible)[: len(eligible) // 2])
        in_mask[j, chosen] = True
        model_seed = int(rng.integers(2**31))
        subset = ImageDataset(data.images[chosen], data.labels[chosen])
        models.append(cached("membership_models",
                             {"recipe": asdict(recipe), "data": data_key, "chosen": data_fingerprint(chosen),
                              "seed": model_seed},
                             lambda subset=subset, model_seed=model_seed: recipe.train(subset, model_seed)))
    return ShadowModels(models, data, in_mask)


def _check_eligible(eligible: np.ndarray | None, n: int) -> np.ndarray:
    if eligible is None:
        return np.arange(n)
    try:
        eligible = np.asarray(eligible)
        if eligible.dtype.kind not in "iu":
            raise TypeError
    except TypeError:
        raise ParameterTypeError(f"eligible must be an array of integer indices, got {eligible!r}") from None
    eligible = np.unique(eligible)
    if len(eligible) < 2 or eligible.min() < 0 or eligible.max() >= n:
        raise ValueError(f"eligible must hold at least 2 indices in [0, {n}), got {len(eligible)} indices "
                         f"spanning [{eligible.min() if len(eligible) else None}, "
                         f"{eligible.max() if len(eligible) else None}]")
    return eligible


def train_shadow_models(recipe: TrainingRecipe, data: ImageDataset, n_shadows: int, *,
                        eligible: np.ndarray | None = None, seed: int = 0, progress: bool = True) -> ShadowModels:
    """Train ``n_shadows`` models with ``recipe``, each on a random half of ``data[eligible]`` (all of it if None).

    Each model is cached on disk by (recipe, data, chosen half, seed). Shokri et al. 2017, Section V-B;
    Carlini et al. 2022, Section IV-B.
    """
    _check_recipe(recipe)
    check_dataset(data, "data")
    n_shadows = check_positive_int(n_shadows, "n_shadows")
    seed = check_positive_int(seed, "seed", minimum=0)
    return _train_on_halves(recipe, data, n_shadows, _check_eligible(eligible, len(data)), seed, progress,
                            "shadow models")


def train_target(recipe: TrainingRecipe, data: ImageDataset, *, eligible: np.ndarray | None = None,
                 seed: int = 0) -> tuple[nn.Module, np.ndarray]:
    """The victim: a model trained with ``recipe`` on a secret random half of ``data[eligible]``.

    Returns (model, is_member) where ``is_member[i]`` says whether ``data[i]`` was trained on.
    """
    _check_recipe(recipe)
    check_dataset(data, "data")
    seed = check_positive_int(seed, "seed", minimum=0)
    shadows = _train_on_halves(recipe, data, 1, _check_eligible(eligible, len(data)), seed, False, "target")
    return shadows.models[0], shadows.in_mask[0]
