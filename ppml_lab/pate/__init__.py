"""PATE: teachers on disjoint data vote, noise hides any one teacher, a student learns the noisy labels.

Taught in ``notebooks/04_pate.ipynb``. Follows Papernot et al. 2017, "Semi-supervised Knowledge
Transfer for Deep Learning from Private Training Data" (LNMax) and Papernot et al. 2018,
"Scalable Private Learning with PATE" (GNMax, Confident-GNMax and their data-dependent RDP
analysis). The privacy formulas mirror the authors' reference implementation,
``tensorflow/privacy`` ``research/pate_2018/core.py`` (``compute_logq_gaussian``,
``rdp_gaussian``, ``rdp_data_independent_gaussian``, ``compute_logpr_answered``,
``compute_logq_laplace``, ``rdp_pure_eps``) and ``ICLR2018/rdp_cumulative.py`` (per-query
costs summed over queries). RDP is converted to (epsilon, delta) with Opacus's
``get_privacy_spent``, so PATE and DP-SGD epsilons in the lab are computed the same way.

Why it protects individuals: each private example sits in exactly one teacher's partition, so
adding or removing it changes at most one teacher, i.e. one vote moves from one class to another.
The aggregators below add noise calibrated to that change.
"""

from __future__ import annotations

from ..accounting.pate import (
    log_pr_answered,
    log_q_gnmax,
    log_q_lnmax,
    rdp_gnmax_data_dependent,
    rdp_gnmax_data_independent,
    rdp_lnmax_data_dependent,
    rdp_lnmax_data_independent,
    rdp_threshold_data_dependent,
    rdp_threshold_data_independent,
)
from ..accounting.rdp import DEFAULT_ORDERS, rdp_to_epsilon
from .aggregators import (
    MECHANISMS,
    Aggregation,
    aggregate,
    confident_gnmax,
    gnmax,
    lnmax,
)
from .analysis import (
    PrivacyReport,
    analyze_privacy,
    cumulative_epsilon,
    per_query_rdp,
)
from .budget import (
    BudgetedGNMax,
    compare_with_dpsgd,
    gnmax_answer_epsilon,
)
from .pipeline import (
    PATEResult,
    privacy_utility_grid,
    run_pate,
    search_epsilon,
    split_private_public,
    train_student,
)
from .teachers import (
    TeacherEnsemble,
    partition_indices,
    teacher_predictions,
    train_teachers,
    vote_histograms,
)

__all__ = [
    "DEFAULT_ORDERS", "MECHANISMS", "TeacherEnsemble", "Aggregation", "PrivacyReport", "PATEResult",
    "partition_indices", "train_teachers", "teacher_predictions", "vote_histograms",
    "lnmax", "gnmax", "confident_gnmax", "aggregate",
    "log_q_gnmax", "rdp_gnmax_data_independent", "rdp_gnmax_data_dependent",
    "log_q_lnmax", "rdp_lnmax_data_independent", "rdp_lnmax_data_dependent",
    "log_pr_answered", "rdp_threshold_data_independent", "rdp_threshold_data_dependent",
    "per_query_rdp", "rdp_to_epsilon", "analyze_privacy", "cumulative_epsilon",
    "split_private_public", "train_student", "run_pate", "privacy_utility_grid", "search_epsilon",
    "gnmax_answer_epsilon", "BudgetedGNMax", "compare_with_dpsgd",
]
