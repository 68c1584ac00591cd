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
import torch
from scipy import stats
from torch import nn

from ..cache import cached
from ..datasets import ImageDataset
from ..models import MODELS, build_model
from ..progress import Progress
from ..seeding import as_rng
from ..training import train_classifier
from ..validation import check_delta, check_nonempty, check_positive, check_positive_int
from .metrics import best_threshold

__all__ = ["TrainingRecipe", "ShadowModels", "AttackResult", "train_shadow_models", "train_target",
           "model_logits", "logit_confidence", "example_loss", "loss_attack", "shadow_model_attack",
           "lira_offline", "lira_online", "ATTACKS", "MembershipExperiment", "run_attacks"]


# ---------------------------------------------------------------------------------------------------
# Training the target and its shadows with one recipe
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingRecipe:
    """How the target is trained; shadows copy it. ``epsilon=None`` is plain SGD, otherwise DP-SGD.

    Plain SGD goes through :func:`ppml_lab.training.train_classifier`, DP-SGD through
    :func:`ppml_lab.dpsgd.train_dpsgd` (no momentum there, so ``momentum`` must be 0). The recipe
    is also the cache key of every model trained with it.
    """

    model: str = "mlp"
    epochs: int = 30
    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.0
    epsilon: float | None = None
    delta: float = 1e-5
    max_grad_norm: float = 1.0
    accountant: str = "rdp"
    grad_sample_mode: str = "ghost"

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)}, got {self.model!r}")
        check_positive_int(self.epochs, "epochs")
        check_positive_int(self.batch_size, "batch_size")
        check_positive(self.lr, "lr")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.epsilon is not None:
            check_positive(self.epsilon, "epsilon")
            if self.momentum != 0:
                raise ValueError(f"momentum must be 0 with DP-SGD (train_dpsgd uses plain SGD), got {self.momentum!r}")
        check_delta(self.delta)
        check_positive(self.max_grad_norm, "max_grad_norm")

    @property
    def private(self) -> bool:
        return self.epsilon is not None

    def noise_multiplier(self, n_train: int) -> float:
        """The DP-SGD noise multiplier for ``n_train`` examples (what Opacus's calibration would pick)."""
        from ..dpsgd import noise_multiplier_for

        sample_rate = 1 / math.ceil(n_train / self.batch_size)  # Opacus: 1 / len(data_loader)
        return cached("membership_noise", {"recipe": asdict(self), "n_train": n_train},
                      lambda: noise_multiplier_for(self.epsilon, self.delta, sample_rate, self.epochs,
                                                   self.accountant))

    def train(self, data: ImageDataset, seed: int) -> nn.Module:
        """A fresh model (initialised from ``seed``) trained on ``data`` with this recipe."""
        model = build_model(self.model, seed=seed)
        if not self.private:
            train_classifier(model, data, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, seed=seed)
            return model
        from ..dpsgd import train_dpsgd

        sigma = self.noise_multiplier(len(data))
        probe = ImageDataset(data.images[:1], data.labels[:1])  # train_dpsgd wants a test set; we evaluate elsewhere
        return train_dpsgd(model, data, probe, epsilon=self.epsilon, delta=self.delta,
                           max_grad_norm=self.max_grad_norm, epochs=self.epochs, batch_size=self.batch_size,
                           lr=self.lr, accountant=self.accountant, seed=seed, noise_multiplier=sigma,
                           grad_sample_mode=self.grad_sample_mode).model


def _fingerprint(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def _row_keys(data: ImageDataset) -> list[bytes]:
    """One key per example (image bytes + label), to find candidates inside a shadow pool."""
    images = np.ascontiguousarray(data.images.reshape(len(data), -1))
    return [hashlib.blake2b(images[i].tobytes() + int(data.labels[i]).to_bytes(8, "little"),
                            digest_size=12).digest() for i in range(len(data))]


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

    def __len__(self) -> int:
        return len(self.models)

    def __add__(self, other: ShadowModels) -> ShadowModels:
        """Both families together (they must share the pool, e.g. one trained on it, one on a disjoint part)."""
        if _fingerprint(self.data.images) != _fingerprint(other.data.images):
            raise ValueError("other must be trained on the same pool data to combine shadow families")
        return ShadowModels(self.models + other.models, self.data, np.vstack([self.in_mask, other.in_mask]))

    def subset(self, which: np.ndarray | list[int]) -> ShadowModels:
        """The shadows at positions ``which``."""
        which = np.asarray(which, dtype=int)
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
    eligible = np.unique(np.asarray(eligible, dtype=int))
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
    check_nonempty(data.labels, "data")
    n_shadows = check_positive_int(n_shadows, "n_shadows")
    return _train_on_halves(recipe, data, n_shadows, _check_eligible(eligible, len(data)), seed, progress,
                            "shadow models")


def train_target(recipe: TrainingRecipe, data: ImageDataset, *, eligible: np.ndarray | None = None,
                 seed: int = 0) -> tuple[nn.Module, np.ndarray]:
    """The victim: a model trained with ``recipe`` on a secret random half of ``data[eligible]``.

    Returns (model, is_member) where ``is_member[i]`` says whether ``data[i]`` was trained on.
    """
    check_nonempty(data.labels, "data")
    shadows = _train_on_halves(recipe, data, 1, _check_eligible(eligible, len(data)), seed, False, "target")
    return shadows.models[0], shadows.in_mask[0]


# ---------------------------------------------------------------------------------------------------
# What an attacker observes: logits, the logit-scaled confidence and the loss
# ---------------------------------------------------------------------------------------------------

@torch.no_grad()
def model_logits(model: nn.Module, images: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """The model's raw outputs (before softmax), shape (n, n_classes), in float64."""
    model.eval()
    out = [model(torch.from_numpy(np.ascontiguousarray(images[i:i + batch_size]))).double()
           for i in range(0, len(images), batch_size)]
    return torch.cat(out).numpy()


def logit_confidence(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """phi = log(p_y / (1 - p_y)) computed stably from logits; roughly Gaussian across models.

    Carlini et al. 2022, Section IV-B (the "logit scaling" that makes Gaussian fits work).
    """
    logits = np.asarray(logits, dtype=float)
    true = np.take_along_axis(logits, labels[..., None].astype(int), axis=-1)[..., 0]
    others = logits.copy()
    np.put_along_axis(others, labels[..., None].astype(int), -np.inf, axis=-1)
    return true - np.logaddexp.reduce(others, axis=-1)


def example_loss(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy loss of each example: log-sum-exp(logits) - logit of the true class."""
    logits = np.asarray(logits, dtype=float)
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
    if not isinstance(target, nn.Module):
        raise ValueError(f"target must be a torch nn.Module, got {type(target).__name__}")
    check_nonempty(candidates.labels, "candidates")
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
    """Every attack against one target: ROC curves, scorecards and the target's test accuracy."""

    recipe: TrainingRecipe
    n_shadows: int
    test_accuracy: float
    is_member: np.ndarray
    results: dict[str, AttackResult]
    metrics: dict

    def roc(self, attack: str) -> tuple[np.ndarray, np.ndarray]:
        """(fpr, tpr) of ``attack`` on this target."""
        from .metrics import roc_curve

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
    from ..training import evaluate
    from .metrics import attack_metrics

    n_shadows = check_positive_int(n_shadows, "n_shadows", minimum=4)
    pool, test = train_test_split(load_mnist5k(), 0.2, rng=0)
    n_candidates = check_positive_int(n_candidates, "n_candidates", minimum=4)
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
    return MembershipExperiment(recipe, n_shadows, evaluate(target, test), is_member, results, metrics)
