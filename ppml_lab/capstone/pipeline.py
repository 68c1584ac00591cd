"""The whole capstone pipeline, run once per seed, and its measured table (lesson 11).

Taught in ``notebooks/11_capstone.ipynb``; ``python -m ppml_lab capstone --out DIR`` writes the same table
as CSV and the figure as PNG. :func:`run_pipeline` runs every stage of :mod:`.stages`;
:func:`measured_table` turns the results into one tidy DataFrame: utility and costs as ratios to the
non-private pipeline, the threat with its attack's success before and after, epsilon, and the
requirements each technique addresses (from :mod:`ppml_lab.compliance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..progress import Progress
from ..validation import ParameterTypeError
from .deletion import honour_deletion
from .releases import redact_notes, release_counts
from .scenario import HospitalTask, make_task
from .stages import (
    FLOAT_BYTES,
    CapstoneConfig,
    StageResult,
    _check_config,
    _pooling_bytes,
    membership_auc,
    serve_encrypted,
    train_central,
    train_federated,
    train_secure_federated,
)

__all__ = ["CapstoneResult", "run_pipeline", "measured_table", "display_table", "TIMING_COLUMNS"]

MEMBERSHIP = ("membership inference on the released model", "loss attack (Yeom et al. 2018): AUC")
#: The table's wall-clock columns (volatile from run to run: shown in figures and CSV, never printed in a lesson).
TIMING_COLUMNS = ("compute ×",)


@dataclass(frozen=True)
class CapstoneResult:
    """Every stage's :class:`StageResult` (the non-private baseline first), the serving and deletion details."""

    config: CapstoneConfig
    stages: tuple[StageResult, ...]
    serving: dict
    deletion: dict | None = None
    redaction: dict | None = None
    release: dict | None = None

    def stage(self, name: str) -> StageResult:
        """The stage called ``name``."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise ValueError(f"name must be one of {[s.name for s in self.stages]}, got {name!r}")


def _federated_bytes(task: HospitalTask, config: CapstoneConfig, parameters: int) -> float:
    """Plain FedAvg's traffic: every round each hospital downloads the model and uploads its update."""
    return float(config.rounds * len(task.clients) * 2 * parameters * FLOAT_BYTES)


def run_pipeline(config: CapstoneConfig | None = None, progress: bool = True) -> CapstoneResult:
    """Run stage 3 (central, DP-SGD, FedAvg, secure FedAvg, DP-FedAvg) and the audit (stage 6) for every seed of
    ``config``; stage 4 (encrypted serving), stage 5 (a deletion with SISA), stage 1 (redacting the notes) and
    stage 2 (k-anonymous table and DP counts) once. The non-private central model is the first stage; stages 1
    and 2 come last. Everything expensive is cached."""
    config = _check_config(CapstoneConfig() if config is None else config)
    if not isinstance(progress, bool):
        raise ParameterTypeError(f"progress must be True or False, got {progress!r}")
    task = make_task(config.n_train, config.n_heldout, seed=0)
    runs: dict[str, list] = {name: [] for name in ("base", "dpsgd", "fedavg", "secure", "dpfedavg")}
    for seed in Progress(config.seeds, desc="capstone seeds", disable=not progress):
        runs["base"].append(train_central(task, config, None, seed))
        runs["dpsgd"].append(train_central(task, config, config.epsilon, seed))
        runs["fedavg"].append(train_federated(task, config, False, seed))
        runs["secure"].append(train_secure_federated(task, config, seed))
        runs["dpfedavg"].append(train_federated(task, config, True, seed))
    audit = {name: tuple(membership_auc(r["model"] if isinstance(r, dict) else r.model, task, config, seed)
                         for r, seed in zip(results, config.seeds))
             for name, results in runs.items()}

    def accuracy(name: str) -> tuple[float, ...]:
        return tuple(r["accuracy"] if isinstance(r, dict) else r.accuracy for r in runs[name])

    def seconds(name: str) -> tuple[float, ...]:
        return tuple(r["train_seconds"] if isinstance(r, dict) else r.train_seconds for r in runs[name])

    n = len(config.seeds)
    parameters = runs["secure"][0]["parameters"]
    pooled = _pooling_bytes(task)
    stages = [
        StageResult("non-private, central", "3 · train", (), accuracy("base"), seconds("base"), pooled,
                    *MEMBERSHIP, audit["base"], audit["base"]),
        StageResult(f"DP-SGD, ε = {config.epsilon:g}", "3 · train", ("DP-SGD",), accuracy("dpsgd"), seconds("dpsgd"),
                    pooled, *MEMBERSHIP, audit["base"], audit["dpsgd"], config.epsilon, "record"),
        StageResult("FedAvg, 3 hospitals", "3 · train", ("federated learning",), accuracy("fedavg"),
                    seconds("fedavg"), _federated_bytes(task, config, parameters),
                    "a breach of the training server exposes the records", "share of training records held there",
                    (1.0,) * n, (0.0,) * n),
        StageResult("FedAvg + secure aggregation", "3 · train", ("secure aggregation",), accuracy("secure"),
                    seconds("secure"), runs["secure"][0]["bytes"],
                    "the server reads one hospital's update", "|correlation| of its view with the update",
                    (1.0,) * n, tuple(r["server_view_correlation"] for r in runs["secure"])),
        StageResult(f"DP-FedAvg, ε = {config.dp_fedavg_epsilon:g}", "3 · train", ("federated learning",),
                    accuracy("dpfedavg"), seconds("dpfedavg"), _federated_bytes(task, config, parameters),
                    *MEMBERSHIP, audit["fedavg"], audit["dpfedavg"], config.dp_fedavg_epsilon, "hospital"),
    ]
    serving = serve_encrypted(runs["dpsgd"][0].model, task, config)
    deletion = honour_deletion(task, config, n_forget=min(100, len(task.clients[-1]) // 4), seed=config.seeds[0])
    redaction, release = redact_notes(), release_counts(task, seed=config.seeds[0])
    return CapstoneResult(config, tuple(stages) + (_serving_stage(serving, config), _deletion_stage(deletion))
                          + _release_stages(redaction, release), serving, deletion, redaction, release)


def _release_stages(redaction: dict, release: dict) -> tuple[StageResult, ...]:
    """Stages 1 and 2: utility is the share of non-PII text kept, or 1 - the counts' mean relative error."""
    nan = (float("nan"),)
    linkage = ("linkage with a voter roll re-identifies patients", "share of voters re-identified")
    return (
        StageResult("PII redaction (Presidio, offline)", "1 · redact", ("PII redaction",), (redaction["text_kept"],),
                    nan, 1.0, "a reader of the notes sees identifiers", "share of PII spans left readable", (1.0,),
                    (redaction["share_left"],)),
        StageResult(f"k-anonymous table, k = {release['k']}", "2 · release", ("k-anonymity",),
                    (1 - release["error_k_anonymous"],), nan, 1.0, *linkage, (release["linkage_deidentified"],),
                    (release["linkage_k_anonymous"],)),
        StageResult(f"DP counts, ε = {release['epsilon']:g}", "2 · release", ("differentially private statistics",),
                    (1 - release["error_dp_counts"],), nan, 1.0, *linkage, (release["linkage_deidentified"],),
                    (release["linkage_dp_counts"],), release["epsilon"], "record"),
        StageResult(f"DP synthetic data (MST), ε = {release['epsilon']:g}", "2 · release",
                    ("DP synthetic data",), (1 - release["error_dp_synthetic"],), nan, 1.0, *linkage,
                    (release["linkage_deidentified"],), (release["linkage_dp_synthetic"],), release["epsilon"],
                    "record"),
    )


def _deletion_stage(deletion: dict) -> StageResult:
    return StageResult(f"SISA unlearning, {deletion['n_forget']} records deleted", "5 · delete",
                       ("machine unlearning",), (deletion["accuracy_after"],), (float(deletion["samples"]),),
                       1.0, "the model still reflects the deleted records", "loss attack on them: AUC",
                       (deletion["attack_before"],), (deletion["attack_after"],))


def _serving_stage(serving: dict, config: CapstoneConfig) -> StageResult:
    return StageResult(f"encrypted inference, Paillier {config.key_bits} bits", "4 · serve",
                       ("encrypted inference", "homomorphic encryption"), (serving["accuracy_encrypted"],),
                       (serving["seconds_encrypted"],), serving["bytes_encrypted"],
                       "the model server reads the clinic's patient features", "share of feature values it reads",
                       (serving["server_reads_plain"],), (serving["server_reads_encrypted"],))


def _requirements(keys: Sequence[str]) -> str:
    from ..compliance import load_map

    table = load_map()
    names = table.loc[table["technique"].isin(keys), "requirement"].drop_duplicates().tolist()
    return "; ".join(names) if names else "none (the reference point)"


def measured_table(result: CapstoneResult) -> pd.DataFrame:
    """One row per technique: utility (mean and sd over seeds) and its ratio to the non-private pipeline, compute
    and communication as ratios to it, the threat with the attack's mean success before and after, epsilon and
    the requirements addressed. Serving is compared with plaintext serving of the same model."""
    if not isinstance(result, CapstoneResult):
        raise ParameterTypeError(f"result must be a CapstoneResult from run_pipeline, got {type(result).__name__}")
    base = result.stages[0]
    serving = result.serving
    rows = []
    for stage in result.stages:
        if stage.stage.startswith("4"):
            utility_base, compute_base, bytes_base = (serving["accuracy_plain"], serving["seconds_plain"],
                                                      serving["bytes_plain"])
        elif stage.stage.startswith(("1", "2")):  # against the raw notes / the de-identified table's exact counts
            utility_base, compute_base, bytes_base = 1.0, float("nan"), 1.0
        elif stage.stage.startswith("5"):  # against retraining one model from scratch, counted in samples
            utility_base, compute_base, bytes_base = np.mean(base.utility), result.deletion["retrain_samples"], 1.0
        else:
            utility_base, compute_base, bytes_base = (np.mean(base.utility), np.mean(base.compute_seconds),
                                                      base.communication_bytes)
        rows.append({
            "stage": stage.stage, "technique": stage.name,
            "utility": float(np.mean(stage.utility)),
            "utility sd": float(np.std(stage.utility, ddof=1)) if len(stage.utility) > 1 else float("nan"),
            "utility ×": float(np.mean(stage.utility) / utility_base),
            "compute ×": float(np.mean(stage.compute_seconds) / compute_base),
            "communication ×": float(stage.communication_bytes / bytes_base),
            "threat": stage.threat, "attack": stage.attack,
            "attack before": float(np.mean(stage.attack_before)), "attack after": float(np.mean(stage.attack_after)),
            "ε": stage.epsilon, "ε per": stage.epsilon_unit or "",
            "requirements": _requirements(stage.technique_keys),
        })
    return pd.DataFrame(rows)


def display_table(table: pd.DataFrame, digits: int = 3, timings: bool = False) -> pd.DataFrame:
    """:func:`measured_table` for reading: numbers rounded to ``digits`` (the digits that hold across machines),
    the wall-clock columns left out unless ``timings``, rows in pipeline order (by stage), indexed by technique."""
    if not isinstance(table, pd.DataFrame) or "technique" not in table.columns:
        raise ParameterTypeError(f"table must be the DataFrame of measured_table, got {type(table).__name__}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
        raise ValueError(f"digits must be an integer in [0, 6], got {digits!r}")
    shown = table if timings else table.drop(columns=[c for c in TIMING_COLUMNS if c in table.columns])
    shown = shown.sort_values("stage", kind="stable").set_index("technique").copy()
    epsilons = [f"{v:g}" if v is not None and not pd.isna(v) else "—" for v in shown["ε"]]
    for column in shown.columns:
        if shown[column].dtype.kind == "f":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")
    shown["ε"] = epsilons
    return shown
