"""Did the deletion work? Lesson 03's LiRA on the forget set, against records the model never saw.

The game: the forget set (records the model trained on, then was asked to forget) against never-seen
records from the same distribution. After exact unlearning both are non-members drawn alike, so
any attack is at chance (AUC 0.5, TPR = FPR). An attack that still tells them apart finds the
deletion's residue. "At chance" compares forgotten with never-seen records, not with members.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats
from torch import nn

from ..attacks.membership import ATTACKS, ShadowModels, TrainingRecipe, train_shadow_models, train_target
from ..attacks.metrics import AttackMetrics, attack_metrics
from ..cache import cached
from ..datasets import ImageDataset, check_dataset, load_mnist5k, train_test_split
from ..models import check_module
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_one_of, check_positive, check_positive_int
from .approximate import finetune_unlearn, gradient_ascent_unlearn
from .exact import Unlearned, remaining, retrain_without
from .sisa import train_sisa

__all__ = ["forget_set_attack", "UnlearningExperiment", "run_unlearning_experiment", "summarise_seeds",
           "unlearning_setup"]


def forget_set_attack(model: nn.Module, forget: ImageDataset, never_seen: ImageDataset, shadows: ShadowModels,
                      attack: str = "LiRA online") -> AttackMetrics:
    """``attack`` (lesson 03's) with the forget set as "members" and never-seen records as non-members."""
    check_module(model)
    check_dataset(forget, "forget")
    check_dataset(never_seen, "never_seen")
    if not isinstance(shadows, ShadowModels):
        raise ParameterTypeError(f"shadows must be ShadowModels, got {type(shadows).__name__}")
    check_one_of(attack, ATTACKS, "attack")
    candidates = ImageDataset(np.concatenate([forget.images, never_seen.images]),
                              np.concatenate([forget.labels, never_seen.labels]))
    is_member = np.r_[np.ones(len(forget), bool), np.zeros(len(never_seen), bool)]
    return attack_metrics(ATTACKS[attack](model, candidates, shadows).scores, is_member)


@dataclass(frozen=True)
class UnlearningExperiment:
    """One seed of lesson 10's experiment: a row per model (before, and after each unlearning method)."""

    seed: int
    frame: pd.DataFrame


def unlearning_setup(recipe: TrainingRecipe, n_candidates: int, n_shadows: int, seed: int
                     ) -> tuple[nn.Module, ImageDataset, np.ndarray, ImageDataset, ImageDataset, ShadowModels]:
    """Lesson 03's game on MNIST5k: (target, its members, the never-seen candidates, the test set, shadows).

    Shadows (the attacker's, shared by every seed) train on random halves of the first
    ``n_candidates`` images of the pool; the target on a secret half chosen by ``seed``.
    """
    if not isinstance(recipe, TrainingRecipe):
        raise ParameterTypeError(f"recipe must be a TrainingRecipe, got {type(recipe).__name__}")
    n_candidates = check_positive_int(n_candidates, "n_candidates", minimum=4)
    if n_candidates > 4000:
        raise ValueError(f"n_candidates must be in [4, 4000] (the pool of MNIST5k's training split), "
                         f"got {n_candidates}")
    n_shadows = check_positive_int(n_shadows, "n_shadows")
    seed = check_positive_int(seed, "seed", minimum=0)
    pool, test = train_test_split(load_mnist5k(), 0.2, rng=0)
    eligible = np.arange(n_candidates)
    shadows = train_shadow_models(recipe, pool, n_shadows, eligible=eligible, seed=1, progress=False)
    target, in_target = train_target(recipe, pool, eligible=eligible, seed=10_000 + seed)
    members = np.flatnonzero(in_target)
    outside = np.setdiff1d(eligible, members)
    return (target, ImageDataset(pool.images[members], pool.labels[members]), members,
            ImageDataset(pool.images[outside], pool.labels[outside]), test, shadows)


def _row(name: str, model: nn.Module, forget: ImageDataset, never_seen: ImageDataset, test: ImageDataset,
         shadows: ShadowModels, cost: Unlearned | None) -> dict:
    from ..attacks.membership import model_logits

    m = forget_set_attack(model, forget, never_seen, shadows)
    def accuracy(data: ImageDataset) -> float:
        return float((model_logits(model, data.images).argmax(1) == data.labels).mean())

    return {"model": name, "test accuracy": accuracy(test), "forget-set accuracy": accuracy(forget),
            "AUC": m.auc, "AUC low": m.auc_ci[0], "AUC high": m.auc_ci[1],
            "TPR@1%FPR": m.tpr_at_1pct_fpr, "TPR@1%FPR low": m.tpr_at_1pct_fpr_ci[0],
            "TPR@1%FPR high": m.tpr_at_1pct_fpr_ci[1],
            "samples processed": None if cost is None else cost.samples_processed,
            "gradient steps": None if cost is None else cost.gradient_steps}


def _experiment(recipe: TrainingRecipe, n_candidates: int, n_shadows: int, n_forget: int, seed: int,
                sisa_settings: dict, finetune_epochs: int, ascent_epochs: int, ascent_lrs: tuple[float, ...]
                ) -> pd.DataFrame:
    target, members, _, never_seen, test, shadows = unlearning_setup(recipe, n_candidates, n_shadows, seed)
    forget_ids = np.sort(as_rng(seed).choice(len(members), size=n_forget, replace=False))
    forget, retained = ImageDataset(members.images[forget_ids], members.labels[forget_ids]), remaining(
        members, forget_ids)
    rows = [_row("original", target, forget, never_seen, test, shadows, None)]
    exact = retrain_without(recipe, members, forget_ids, seed=20_000 + seed)
    rows.append(_row("exact retraining", exact.model, forget, never_seen, test, shadows, exact))
    sisa = train_sisa(members, seed=seed, **sisa_settings)
    rows.append(_row("SISA before deletion", sisa, forget, never_seen, test, shadows, None))
    deletion = sisa.delete(forget_ids)
    rows.append(_row("SISA after deletion", sisa, forget, never_seen, test, shadows, deletion))
    finetuned = finetune_unlearn(target, retained, epochs=finetune_epochs, lr=recipe.lr, momentum=recipe.momentum,
                                 batch_size=recipe.batch_size, seed=seed)
    rows.append(_row("fine-tuning (approx.)", finetuned.model, forget, never_seen, test, shadows, finetuned))
    for lr in ascent_lrs:
        ascended = gradient_ascent_unlearn(target, forget, epochs=ascent_epochs, lr=lr, seed=seed)
        rows.append(_row(f"gradient ascent, lr {lr:g} (approx.)", ascended.model, forget, never_seen, test, shadows,
                         ascended))
    return pd.DataFrame(rows)


def run_unlearning_experiment(recipe: TrainingRecipe, *, n_candidates: int = 2000, n_shadows: int = 8,
                              n_forget: int = 200, seed: int = 0, n_shards: int = 5, n_slices: int = 4,
                              sisa_batch_size: int = 64, finetune_epochs: int = 3, ascent_epochs: int = 3,
                              ascent_lrs: tuple[float, ...] = (0.1, 0.3)
                              ) -> UnlearningExperiment:
    """Train a target, forget ``n_forget`` of its members four ways, and attack the forget set each time.

    Rows: the original target; exact retraining; a SISA ensemble on the same members (``n_shards``
    x ``n_slices``, ``recipe``'s epochs, learning rate and momentum) before and after deleting
    the forget set; fine-tuning on the retained members for ``finetune_epochs``; one pass of
    ``ascent_epochs`` passes of
    gradient ascent on the forget set at each of ``ascent_lrs``. Cached by every input.
    """
    if not isinstance(recipe, TrainingRecipe) or recipe.uses_dpsgd:
        raise ParameterTypeError(f"recipe must be a plain-SGD TrainingRecipe, got {recipe!r}")
    n_candidates = check_positive_int(n_candidates, "n_candidates", minimum=4)
    if n_candidates > 4000:
        raise ValueError(f"n_candidates must be in [4, 4000] (the pool of MNIST5k's training split), "
                         f"got {n_candidates}")
    n_shadows = check_positive_int(n_shadows, "n_shadows", minimum=3)
    n_forget = check_positive_int(n_forget, "n_forget")
    if n_forget > n_candidates // 4:
        raise ValueError(f"n_forget must be in [1, {n_candidates // 4}] (a part of the target's members), "
                         f"got {n_forget}")
    seed = check_positive_int(seed, "seed", minimum=0)
    sisa_settings = dict(n_shards=check_positive_int(n_shards, "n_shards"),
                         n_slices=check_positive_int(n_slices, "n_slices"), model=recipe.model, epochs=recipe.epochs,
                         batch_size=check_positive_int(sisa_batch_size, "sisa_batch_size"), lr=recipe.lr,
                         momentum=recipe.momentum)
    if n_shards * n_slices > n_candidates // 4:
        raise ValueError(f"n_shards x n_slices must be <= {n_candidates // 4}, got {n_shards} x {n_slices}")
    finetune_epochs = check_positive_int(finetune_epochs, "finetune_epochs")
    ascent_epochs = check_positive_int(ascent_epochs, "ascent_epochs")
    if not isinstance(ascent_lrs, tuple) or not ascent_lrs:
        raise ValueError(f"ascent_lrs must be a non-empty tuple of learning rates, got {ascent_lrs!r}")
    ascent_lrs = tuple(check_positive(lr, "ascent_lrs") for lr in ascent_lrs)
    inputs = {"recipe": asdict(recipe), "n_candidates": n_candidates, "n_shadows": n_shadows, "n_forget": n_forget,
              "seed": seed, "sisa": sisa_settings, "finetune_epochs": finetune_epochs, "ascent_epochs": ascent_epochs,
              "ascent_lrs": ascent_lrs}
    frame = cached("unlearning_experiment", inputs,
                   lambda: _experiment(recipe, n_candidates, n_shadows, n_forget, seed, sisa_settings,
                                       finetune_epochs, ascent_epochs, ascent_lrs))
    return UnlearningExperiment(seed, frame)


def summarise_seeds(experiments: list[UnlearningExperiment], columns: tuple[str, ...] = (
        "test accuracy", "AUC", "TPR@1%FPR")) -> pd.DataFrame:
    """Per model: the mean over seeds of each column and its 95% Student-t interval (n seeds, n - 1 dof).

    The columns are rates in [0, 1] (accuracy, AUC, TPR), so each interval is clipped to [0, 1].
    """
    if not isinstance(experiments, list) or len(experiments) < 2 or not all(
            isinstance(e, UnlearningExperiment) for e in experiments):
        raise ValueError(f"experiments must be a list of at least 2 UnlearningExperiment (one per seed), "
                         f"got {experiments!r}")
    frame = pd.concat([e.frame for e in experiments])
    missing = [c for c in columns if c not in frame.columns]
    if not columns or missing:
        raise ValueError(f"columns must name numeric columns of the experiments' frames, got {list(columns)!r}")
    grouped = frame.groupby("model", sort=False)
    t = stats.t.ppf(0.975, len(experiments) - 1)
    out = {}
    for column in columns:
        mean, sem = grouped[column].mean(), grouped[column].std(ddof=1) / np.sqrt(len(experiments))
        out[column] = mean
        out[f"{column} low"], out[f"{column} high"] = (mean - t * sem).clip(0, 1), (mean + t * sem).clip(0, 1)
    return pd.DataFrame(out)
