"""The attacks, one scoring rule each under one signature: loss (Yeom), shadow model (Shokri), LiRA (Carlini)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats
from torch import nn

from ...datasets import ImageDataset, check_dataset
from ...models import check_module
from ...validation import ParameterTypeError, check_array
from ..metrics import best_threshold
from .observations import example_loss, logit_confidence, model_logits
from .shadows import ShadowModels

__all__ = ["AttackResult", "loss_attack", "shadow_model_attack", "lira_offline", "lira_online", "ATTACKS"]


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
    check_module(target, "target")
    check_dataset(candidates, "candidates")
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
