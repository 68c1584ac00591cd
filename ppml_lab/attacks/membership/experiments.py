"""The lesson's experiment: one target, its shadows, every attack, and the tables that compare settings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...datasets import ImageDataset
from ...validation import ParameterTypeError, check_one_of, check_positive_int, check_probability
from .observations import model_logits
from .scores import ATTACKS, AttackResult
from .shadows import TrainingRecipe, _check_recipe, _train_on_halves, train_target

__all__ = ["MembershipExperiment", "run_attacks", "comparison_frame", "comparison_table"]


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
        from ..metrics import roc_curve

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
    from ...datasets import load_mnist5k, train_test_split
    from ..metrics import attack_metrics

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
