"""The capstone: one hospital scenario, every technique of the lab, one measured table (lesson 11).

Taught in ``notebooks/11_capstone.ipynb``. It orchestrates the lessons' own modules and adds no copy of
them: :mod:`.scenario` (the task on ``data/hospital.csv``), :mod:`.stages` (each technique measured the same
way), :mod:`.releases` (the notes redacted, the counts released),
:mod:`.deletion` (a deletion request with SISA),
:mod:`.pipeline` (all stages and the table), :mod:`.guide` (the decision guide from measured numbers).
"""

from .deletion import MNIST_INPUTS, honour_deletion, pad_features
from .guide import (
    GUIDE_EPSILONS,
    Overheads,
    budget_split,
    decision_guide,
    measure_overheads,
    render_decision_guide,
)
from .pipeline import TIMING_COLUMNS, CapstoneResult, display_table, measured_table, run_pipeline
from .releases import count_queries, redact_notes, release_counts
from .scenario import (
    CHRONIC_DIAGNOSES,
    FEATURE_NAMES,
    HOSPITALS,
    HospitalTask,
    chronic_label,
    encode_features,
    make_task,
)
from .stages import (
    CapstoneConfig,
    StageResult,
    linear_model_of,
    membership_auc,
    serve_encrypted,
    train_central,
    train_federated,
    train_secure_federated,
)

__all__ = ["HOSPITALS", "CHRONIC_DIAGNOSES", "FEATURE_NAMES", "HospitalTask", "encode_features", "chronic_label",
           "make_task", "CapstoneConfig", "StageResult", "membership_auc", "train_central", "train_federated",
           "train_secure_federated", "serve_encrypted", "linear_model_of", "CapstoneResult", "run_pipeline",
           "measured_table", "display_table", "TIMING_COLUMNS", "GUIDE_EPSILONS", "Overheads", "measure_overheads",
           "decision_guide", "render_decision_guide", "budget_split", "MNIST_INPUTS", "pad_features",
           "honour_deletion", "redact_notes", "release_counts", "count_queries"]
