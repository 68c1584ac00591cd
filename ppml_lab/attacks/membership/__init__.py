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

# The package re-exports its submodules' names; three private ones too, used outside the package
# (lesson 03 shows _lira_online_scores with show_source, the exercise checks build _Observations).
from .experiments import MembershipExperiment, comparison_frame, comparison_table, run_attacks
from .observations import example_loss, logit_confidence, model_logits
from .scores import (
    ATTACKS,
    AttackResult,
    lira_offline,
    lira_online,
    loss_attack,
    shadow_model_attack,
)
from .scores import _lira_offline_scores as _lira_offline_scores
from .scores import _lira_online_scores as _lira_online_scores
from .scores import _Observations as _Observations
from .shadows import NO_CLIPPING, ShadowModels, TrainingRecipe, train_shadow_models, train_target

__all__ = ["NO_CLIPPING", "TrainingRecipe", "ShadowModels", "AttackResult", "train_shadow_models", "train_target",
           "model_logits", "logit_confidence", "example_loss", "loss_attack", "shadow_model_attack",
           "lira_offline", "lira_online", "ATTACKS", "MembershipExperiment", "run_attacks",
           "comparison_frame", "comparison_table"]
