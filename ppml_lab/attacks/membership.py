"""Membership inference: was this example in the model's training set? Three attacks, one signature.

Taught in ``notebooks/03_membership_inference.ipynb``. Every attack is called as
``attack(target, candidates, shadows) -> AttackResult`` and returns one score per candidate
(higher means "more likely a member") plus a decision threshold chosen on the shadow models,
never on the candidates' true membership:

* :func:`loss_attack` - Yeom et al. 2018: members have lower loss.
* :func:`shadow_model_attack` - Shokri et al. 2017: a classifier, trained on shadow models whose
  membership the attacker knows, reads membership from the prediction vector (one per class).
* :func:`lira_offline` / :func:`lira_online` - Carlini et al. 2022 (LiRA): a per-example likelihood
  ratio test on the logit-scaled confidence, with Gaussians fitted to shadow models that did
  (online) or did not (offline) train on that example.

Shadow models are trained by :func:`train_shadow_models` with the target's own
:class:`TrainingRecipe` (a mimic of the target's training) and cached on disk per model.
Scores are judged with :mod:`ppml_lab.attacks.metrics`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch import nn

from ..cache import cached
from ..datasets import ImageDataset
from ..models import MODELS, build_model
from ..progress import Progress
from ..seeding import as_rng
from ..training import train_classifier
from ..validation import (
    ParameterTypeError,
    check_array,
    check_delta,
    check_nonempty,
    check_nonnegative,
    check_one_of,
    check_positive,
    check_positive_int,
    check_probability,
)
from .metrics import best_threshold

__all__ = ["NO_CLIPPING", "TrainingRecipe", "ShadowModels", "AttackResult", "train_shadow_models", "train_target",
           "model_logits", "logit_confidence", "example_loss", "loss_attack", "shadow_model_attack",
           "lira_offline", "lira_online", "ATTACKS", "MembershipExperiment", "run_attacks",
           "comparison_frame", "comparison_table"]


# ---------------------------------------------------------------------------------------------------
# Training the target and its shadows with one recipe
# ---------------------------------------------------------------------------------------------------

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
        from ..dpsgd import noise_multiplier_for

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
        from ..dpsgd import train_dpsgd

        sigma = self.noise_multiplier(len(data))
        clip = NO_CLIPPING if self.max_grad_norm is None else self.max_grad_norm
        probe = ImageDataset(data.images[:1], data.labels[:1])  # train_dpsgd wants a test set; we evaluate elsewhere
        return train_dpsgd(model, data, probe, epsilon=self.epsilon if self.private else None, delta=self.delta,
                           max_grad_norm=clip, epochs=self.epochs, batch_size=self.batch_size,
                           lr=self.lr, accountant=self.accountant, seed=seed, noise_multiplier=sigma,
                           grad_sample_mode=self.grad_sample_mode).model


def _fingerprint(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def _row_keys(data: ImageDataset) -> list[bytes]:
    """One key per example (image bytes + label), to find candidates inside a shadow pool."""
    images = np.ascontiguousarray(data.images.reshape(len(data), -1))
    return [hashlib.blake2b(images[i].tobytes() + int(data.labels[i]).to_bytes(8, "little"),
                            digest_size=12).digest() for i in range(len(data))]


def _check_dataset(data: ImageDataset, name: str) -> ImageDataset:
    """``data`` must be a non-empty :class:`ImageDataset`."""
    if not isinstance(data, ImageDataset):
        raise ParameterTypeError(f"{name} must be an ImageDataset, got {type(data).__name__}")
    check_nonempty(data.labels, name)
    return data


def _check_model(model: nn.Module, name: str) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"{name} must be a torch nn.Module, got {type(model).__name__}")
    return model


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
            _check_model(model, "models")
        _check_dataset(self.data, "data")
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
        if _fingerprint(self.data.images) != _fingerprint(other.data.images):
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
        _check_dataset(candidates, "candidates")
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
    data_key = _fingerprint(data.images) + _fingerprint(data.labels)
    for j in Progress(range(n_models), desc=description, disable=not progress):
        chosen = np.sort(rng.permutation(eligible)[: len(eligible) // 2])
        in_mask[j, chosen] = True
        model_seed = int(rng.integers(2**31))
        subset = ImageDataset(data.images[chosen], data.labels[chosen])
        models.append(cached("membership_models",
                             {"recipe": asdict(recipe), "data": data_key, "chosen": _fingerprint(chosen),
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
    _check_dataset(data, "data")
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
    _check_dataset(data, "data")
    seed = check_positive_int(seed, "seed", minimum=0)
    shadows = _train_on_halves(recipe, data, 1, _check_eligible(eligible, len(data)), seed, False, "target")
    return shadows.models[0], shadows.in_mask[0]


# ---------------------------------------------------------------------------------------------------
# What an attacker observes: logits, the logit-scaled confidence and the loss
# ---------------------------------------------------------------------------------------------------

def _check_logits(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``logits`` (..., n_classes) with no NaN, ``labels`` integers in [0, n_classes) of shape logits.shape[:-1]."""
    logits = check_array(logits, "logits", finite=False)
    if logits.ndim < 2 or np.isnan(logits).any():
        raise ValueError(f"logits must be an array of shape (..., n_classes) without NaN, got shape {logits.shape}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu" or labels.shape != logits.shape[:-1]:
        raise ValueError(f"labels must be integers of shape {logits.shape[:-1]} (logits' shape without the last "
                         f"axis), got {labels.dtype} {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[-1]):
        raise ValueError(f"labels must lie in [0, {logits.shape[-1]}), got values from {labels.min()} to "
                         f"{labels.max()}")
    return logits, labels


@torch.no_grad()
def model_logits(model: nn.Module, images: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """The model's raw outputs (before softmax), shape (n, n_classes), in float64."""
    _check_model(model, "model")
    images = np.asarray(images)
    if images.ndim < 2 or not len(images) or images.dtype.kind != "f":
        raise ValueError(f"images must be a non-empty float array of shape (n, ...), got {images.dtype} "
                         f"{images.shape}")
    batch_size = check_positive_int(batch_size, "batch_size")
    model.eval()
    dtype = next(model.parameters()).dtype  # float32 or float64 models (see TrainingRecipe.dtype)
    out = [model(torch.from_numpy(np.ascontiguousarray(images[i:i + batch_size])).to(dtype)).double()
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy()


def logit_confidence(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """phi = log(p_y / (1 - p_y)) computed stably from logits; roughly Gaussian across models.

    Carlini et al. 2022, Section IV-B (the "logit scaling" that makes Gaussian fits work).
    """
    logits, labels = _check_logits(logits, labels)
    true = np.take_along_axis(logits, labels[..., None].astype(int), axis=-1)[..., 0]
    others = logits.copy()
    np.put_along_axis(others, labels[..., None].astype(int), -np.inf, axis=-1)
    return true - np.logaddexp.reduce(others, axis=-1)


def example_loss(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy loss of each example: log-sum-exp(logits) - logit of the true class."""
    logits, labels = _check_logits(logits, labels)
    true = np.take_along_axis(logits, labels[..., None].astype(int), axis=-1)[..., 0]
    return np.logaddexp.reduce(logits, axis=-1) - true


@dataclass(frozen=True)
class _Observations:
    """Everything a scoring rule may use: target outputs on the candidates, shadow outputs and memberships."""

    target_logits: np.ndarray      # (n, C)
    labels: np.ndarray             # (n,)
    shadow_logits: np.ndarray      # (N, n, C): shadows on the candidates
    shadow_in: np.ndarray          # (N, n): candidate in shadow's training set
    pool_logits: np.ndarray        # (N, P, C): shadows on their own pool
    pool_labels: np.ndarray        # (P,)
    pool_in: np.ndarray            # (N, P)


@dataclass(frozen=True)
class AttackResult:
    """An attack's verdict: ``scores`` (higher = member) and the ``threshold`` it chose on its shadows."""

    name: str
    scores: np.ndarray
    threshold: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ParameterTypeError(f"name must be a string, got {self.name!r}")
        scores = check_array(self.scores, "scores", ndim=1, finite=False)
        if np.isnan(scores).any():
            raise ValueError("scores must not contain NaN")
        object.__setattr__(self, "scores", scores)
        if isinstance(self.threshold, (bool, str)) or self.threshold is None or math.isnan(float(self.threshold)):
            raise ValueError(f"threshold must be a number (inf allowed), got {self.threshold!r}")

    @property
    def predictions(self) -> np.ndarray:
        """Member (True) or not, by the attack's own threshold."""
        return self.scores >= self.threshold


def _observe(target: nn.Module, candidates: ImageDataset, shadows: ShadowModels) -> _Observations:
    return _Observations(model_logits(target, candidates.images), candidates.labels,
                         np.stack([model_logits(m, candidates.images) for m in shadows.models]),
                         shadows.membership(candidates), shadows.pool_logits(), shadows.data.labels,
                         shadows.in_mask)


def _pseudo_target(obs: _Observations) -> _Observations:
    """Play the game against shadow 0 (whose members the attacker knows) with the other shadows as help."""
    return _Observations(obs.pool_logits[0], obs.pool_labels, obs.pool_logits[1:], obs.pool_in[1:],
                         obs.pool_logits[1:], obs.pool_labels, obs.pool_in[1:])


def _run(name: str, score: Callable[[_Observations], np.ndarray], target: nn.Module, candidates: ImageDataset,
         shadows: ShadowModels, min_shadows: int) -> AttackResult:
    """Check inputs, score the candidates, and pick the threshold on a shadow used as a stand-in target."""
    _check_model(target, "target")
    _check_dataset(candidates, "candidates")
    if not isinstance(shadows, ShadowModels) or len(shadows) < min_shadows:
        got = len(shadows) if isinstance(shadows, ShadowModels) else type(shadows).__name__
        raise ValueError(f"shadows must be ShadowModels with at least {min_shadows} models for {name}, got {got}")
    obs = _observe(target, candidates, shadows)
    scores = score(obs)
    if np.isnan(scores).any():
        raise ValueError(f"{name} cannot score {int(np.isnan(scores).sum())} of the candidates: each needs at "
                         "least one shadow that did not train on it (add shadows trained on other data)")
    rehearsal_scores, truth = score(_pseudo_target(obs)), obs.pool_in[0]
    usable = ~np.isnan(rehearsal_scores)
    if 0 < truth[usable].sum() < usable.sum():
        threshold = best_threshold(rehearsal_scores[usable], truth[usable])
    else:
        threshold = float(np.median(scores))  # nothing to rehearse on: fall back to guessing half
    return AttackResult(name, scores, threshold)


# ---------------------------------------------------------------------------------------------------
# The attacks: one scoring rule each
# ---------------------------------------------------------------------------------------------------

def _loss_scores(obs: _Observations) -> np.ndarray:
    return -example_loss(obs.target_logits, obs.labels)


def loss_attack(target: nn.Module, candidates: ImageDataset, shadows: ShadowModels) -> AttackResult:
    """Yeom et al. 2018: "member if the loss is below a threshold"; score = -loss.

    Yeom et al. set the threshold at the average training loss; here it is the loss threshold
    with the best balanced accuracy on a shadow model (so no candidate's membership is used).
    """
    return _run("loss (Yeom)", _loss_scores, target, candidates, shadows, min_shadows=1)


def _shokri_features(logits: np.ndarray) -> np.ndarray:
    """The prediction vector as log-probabilities, clipped so a saturated softmax stays finite."""
    log_probs = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)
    return np.clip(log_probs, -30.0, 0.0)


def _shokri_scores(obs: _Observations) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    features = _shokri_features(obs.pool_logits).reshape(-1, obs.pool_logits.shape[-1])
    labels = np.broadcast_to(obs.pool_labels, obs.pool_in.shape).ravel()
    membership = obs.pool_in.ravel()
    target_features = _shokri_features(obs.target_logits)
    scores = np.zeros(len(obs.labels))
    for label in np.unique(obs.labels):  # one attack model per class, as in Shokri et al.
        rows = labels == label
        here = obs.labels == label
        if membership[rows].all() or not membership[rows].any():
            continue  # the shadows never saw both outcomes for this class: no information
        attack_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
        attack_model.fit(features[rows], membership[rows])
        scores[here] = attack_model.decision_function(target_features[here])
    return scores


def shadow_model_attack(target: nn.Module, candidates: ImageDataset, shadows: ShadowModels) -> AttackResult:
    """Shokri et al. 2017: per-class attack classifiers trained on shadow models' in/out prediction vectors.

    The attack model (logistic regression on the log-probability vector, one per true class) learns
    what "trained on" looks like from the shadows, then reads the target's prediction vectors.
    Give it shadows trained on data disjoint from the target's, as in the paper.
    """
    return _run("shadow model (Shokri)", _shokri_scores, target, candidates, shadows, min_shadows=2)


def _gaussian_fit(phi: np.ndarray, mask: np.ndarray, global_variance: bool) -> tuple[np.ndarray, np.ndarray,
                                                                                     np.ndarray]:
    """Per-candidate mean and std of ``phi`` (N, n) over the shadows selected by ``mask``; counts too."""
    counts = mask.sum(0)
    mean = np.where(counts > 0, (phi * mask).sum(0) / np.maximum(counts, 1), np.nan)
    if global_variance:  # Carlini et al.: with few shadows, one variance for all examples is more stable
        deviations = (phi - mean)[mask]
        std = np.full(phi.shape[1], deviations.std() if deviations.size > 1 else 1.0)
    else:
        squares = ((phi - np.nan_to_num(mean)) ** 2 * mask).sum(0)
        std = np.sqrt(squares / np.maximum(counts - 1, 1))
    return mean, np.maximum(std, 1e-3), counts


def _lira_offline_scores(obs: _Observations, global_variance: bool = True) -> np.ndarray:
    phi_target = logit_confidence(obs.target_logits, obs.labels)
    phi_shadows = logit_confidence(obs.shadow_logits, np.broadcast_to(obs.labels, obs.shadow_in.shape))
    mean_out, std_out, n_out = _gaussian_fit(phi_shadows, ~obs.shadow_in, global_variance)
    # one-sided test: how unusually confident is the target, compared with models that never saw x?
    # (NaN where no shadow left x out: the caller reports it)
    return np.where(n_out > 0, stats.norm.logcdf(phi_target, np.nan_to_num(mean_out), std_out), np.nan)


def _lira_online_scores(obs: _Observations, global_variance: bool = True) -> np.ndarray:
    phi_target = logit_confidence(obs.target_logits, obs.labels)
    phi_shadows = logit_confidence(obs.shadow_logits, np.broadcast_to(obs.labels, obs.shadow_in.shape))
    mean_in, std_in, n_in = _gaussian_fit(phi_shadows, obs.shadow_in, global_variance)
    mean_out, std_out, n_out = _gaussian_fit(phi_shadows, ~obs.shadow_in, global_variance)
    both = (n_in > 0) & (n_out > 0)
    if not both.any():
        raise ValueError("lira_online needs shadows trained with and without the candidates; none of the "
                         "candidates is in any shadow's training set (train shadows on the candidates' pool)")
    shift = np.mean(mean_in[both] - mean_out[both])  # a candidate missing one side borrows the average gap
    mean_in = np.where(n_in > 0, mean_in, mean_out + shift)
    mean_out = np.where(n_out > 0, mean_out, mean_in - shift)
    return stats.norm.logpdf(phi_target, mean_in, std_in) - stats.norm.logpdf(phi_target, mean_out, std_out)


def lira_offline(target: nn.Module, candidates: ImageDataset, shadows: ShadowModels, *,
                 global_variance: bool = True) -> AttackResult:
    """Carlini et al. 2022, offline LiRA: is the target's confidence on x high for a model that never saw x?

    Fits a Gaussian to the logit-scaled confidence phi of the OUT shadows for each candidate and
    scores log P[Z <= phi_target] (Section IV-C, one-sided test). Needs no shadow trained on x.
    """
    return _run("LiRA offline", lambda obs: _lira_offline_scores(obs, global_variance), target, candidates,
                shadows, min_shadows=2)


def lira_online(target: nn.Module, candidates: ImageDataset, shadows: ShadowModels, *,
                global_variance: bool = True) -> AttackResult:
    """Carlini et al. 2022, online LiRA: likelihood ratio of phi_target under IN vs OUT Gaussians per candidate.

    Needs shadows trained on random halves of a pool that contains the candidates (each candidate
    IN for about half of them). ``global_variance`` follows the paper's advice for fewer than 64 shadows.
    """
    return _run("LiRA online", lambda obs: _lira_online_scores(obs, global_variance), target, candidates,
                shadows, min_shadows=3)


#: The attacks side by side, in the order a lesson introduces them; all share one signature.
ATTACKS: dict[str, Callable[[nn.Module, ImageDataset, ShadowModels], AttackResult]] = {
    "loss (Yeom)": loss_attack,
    "shadow model (Shokri)": shadow_model_attack,
    "LiRA offline": lira_offline,
    "LiRA online": lira_online,
}


# ---------------------------------------------------------------------------------------------------
# The lesson's experiment: one target, its shadows, every attack
# ---------------------------------------------------------------------------------------------------

@dataclass
class MembershipExperiment:
    """Every attack against one target: ROC curves, scorecards and the target's train and test accuracy."""

    recipe: TrainingRecipe
    n_shadows: int
    test_accuracy: float
    is_member: np.ndarray
    results: dict[str, AttackResult]
    metrics: dict
    train_accuracy: float | None = None  # accuracy on the target's own members (the candidates it trained on)

    def __post_init__(self) -> None:
        _check_recipe(self.recipe)
        check_positive_int(self.n_shadows, "n_shadows")
        check_probability(self.test_accuracy, "test_accuracy")
        if self.train_accuracy is not None:
            check_probability(self.train_accuracy, "train_accuracy")
        self.is_member = np.asarray(self.is_member)
        if self.is_member.dtype != bool or self.is_member.ndim != 1:
            raise ValueError(f"is_member must be a 1-D boolean array, "
                             f"got {self.is_member.dtype} {self.is_member.shape}")
        if not isinstance(self.results, dict) or not isinstance(self.metrics, dict) or set(self.results) != set(
                self.metrics):
            raise ValueError("results and metrics must be dicts with the same attack names")

    def roc(self, attack: str) -> tuple[np.ndarray, np.ndarray]:
        """(fpr, tpr) of ``attack`` on this target."""
        from .metrics import roc_curve

        check_one_of(attack, self.results, "attack")
        fpr, tpr, _ = roc_curve(self.results[attack].scores, self.is_member)
        return fpr, tpr


def run_attacks(recipe: TrainingRecipe, n_shadows: int = 8, *, n_candidates: int = 2000, seed: int = 0,
                progress: bool = True) -> MembershipExperiment:
    """Train a target with ``recipe`` on half of ``n_candidates`` MNIST images and attack it four ways.

    The 4,000 training images of ``datasets.train_test_split(load_mnist5k(), 0.2, rng=0)`` are the
    attacker's pool: the first ``n_candidates`` are the candidates (the target trains on a secret
    half), the rest are disjoint data. ``n_shadows`` shadows train on halves of the candidates (for
    online LiRA) and ``n_shadows // 2`` on halves of the disjoint data (Shokri's setting, also used
    for the loss threshold); offline LiRA uses every shadow that left a candidate out.
    """
    from ..datasets import load_mnist5k, train_test_split
    from .metrics import attack_metrics

    _check_recipe(recipe)
    n_shadows = check_positive_int(n_shadows, "n_shadows", minimum=4)
    n_candidates = check_positive_int(n_candidates, "n_candidates", minimum=4)
    seed = check_positive_int(seed, "seed", minimum=0)
    pool, test = train_test_split(load_mnist5k(), 0.2, rng=0)
    if n_candidates > len(pool) - 4:
        raise ValueError(f"n_candidates must be <= {len(pool) - 4} (leave disjoint data), got {n_candidates}")
    candidates_idx, disjoint_idx = np.arange(n_candidates), np.arange(n_candidates, len(pool))
    target, in_target = train_target(recipe, pool, eligible=candidates_idx, seed=10_000 + seed)
    online = _train_on_halves(recipe, pool, n_shadows, candidates_idx, seed, progress, "shadows on candidates")
    disjoint = _train_on_halves(recipe, pool, n_shadows // 2, disjoint_idx, seed + 1, progress,
                                "shadows on disjoint data")
    candidates = ImageDataset(pool.images[candidates_idx], pool.labels[candidates_idx])
    is_member = in_target[candidates_idx]
    everyone = online + disjoint
    shadows_for = {"loss (Yeom)": disjoint, "shadow model (Shokri)": disjoint, "LiRA offline": everyone,
                   "LiRA online": everyone}
    results = {name: attack(target, candidates, shadows_for[name]) for name, attack in ATTACKS.items()}
    metrics = {name: attack_metrics(r.scores, is_member, r.predictions) for name, r in results.items()}
    def accuracy(data: ImageDataset) -> float:  # via model_logits, which feeds any model its own dtype
        return float((model_logits(target, data.images).argmax(1) == data.labels).mean())

    members = ImageDataset(candidates.images[is_member], candidates.labels[is_member])
    return MembershipExperiment(recipe, n_shadows, accuracy(test), is_member, results, metrics, accuracy(members))


def _check_experiments(experiments: dict[str, MembershipExperiment]) -> dict[str, MembershipExperiment]:
    if not isinstance(experiments, dict) or not experiments:
        raise ValueError(f"experiments must be a non-empty dict of name -> MembershipExperiment, got {experiments!r}")
    wrong = [name for name, e in experiments.items() if not isinstance(e, MembershipExperiment)]
    if wrong:
        raise ParameterTypeError(f"experiments must map names to MembershipExperiment, got other values for {wrong}")
    return experiments


def comparison_frame(experiments: dict[str, MembershipExperiment]) -> pd.DataFrame:
    """One row per (setting, attack): accuracies, AUC and TPR at 1% / 0.1% FPR with their 95% intervals.

    ``members caught @0.1%FPR`` counts the members behind TPR@0.1%FPR: with 1,000 members, a TPR
    of 0.001 is a single person, and its Clopper-Pearson interval says how little that proves.
    """
    rows = []
    for setting, experiment in _check_experiments(experiments).items():
        for attack, m in experiment.metrics.items():
            rows.append({"setting": setting, "attack": attack, "epsilon": experiment.recipe.epsilon,
                         "train accuracy": experiment.train_accuracy, "test accuracy": experiment.test_accuracy,
                         "AUC": m.auc, "AUC low": m.auc_ci[0], "AUC high": m.auc_ci[1],
                         "TPR@1%FPR": m.tpr_at_1pct_fpr, "TPR@1%FPR low": m.tpr_at_1pct_fpr_ci[0],
                         "TPR@1%FPR high": m.tpr_at_1pct_fpr_ci[1],
                         "TPR@0.1%FPR": m.tpr_at_01pct_fpr, "TPR@0.1%FPR low": m.tpr_at_01pct_fpr_ci[0],
                         "TPR@0.1%FPR high": m.tpr_at_01pct_fpr_ci[1],
                         "members caught @0.1%FPR": int(round(m.tpr_at_01pct_fpr * m.n_members))})
    return pd.DataFrame(rows)


def comparison_table(frame: pd.DataFrame, columns: tuple[str, ...] = ("AUC", "TPR@1%FPR", "TPR@0.1%FPR"),
                     digits: int = 3) -> pd.DataFrame:
    """:func:`comparison_frame` for reading: one row per setting and attack, "value (low-high)" strings.

    The accuracies (one per setting, not per attack) are left to :func:`comparison_frame`.
    """
    if not isinstance(frame, pd.DataFrame) or not {"setting", "attack"} <= set(frame.columns):
        raise ValueError("frame must be a DataFrame made by comparison_frame (with setting and attack columns)")
    missing = [c for c in columns if c not in frame.columns]
    if not columns or missing:
        raise ValueError(f"columns must name columns of frame that have intervals, got {list(columns)!r}")
    digits = check_positive_int(digits, "digits")
    table = frame[["setting", "attack"]].copy()
    for column in columns:
        table[f"{column} (95% CI)"] = [f"{v:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})" for v, lo, hi
                                       in zip(frame[column], frame[f"{column} low"], frame[f"{column} high"])]
    if "members caught @0.1%FPR" in frame.columns:
        table["members caught @0.1%FPR"] = frame["members caught @0.1%FPR"]
    return table.set_index(["setting", "attack"])
