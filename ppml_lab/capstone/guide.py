"""Which technique when: the decision guide, with its overhead column measured by the lab, and the budget split.

Taught in ``notebooks/11_capstone.ipynb``; ``python -m ppml_lab capstone --out DIR --guide docs/decision_guide.md``
writes :func:`render_decision_guide` with the timings of the machine it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..validation import ParameterTypeError, check_epsilon
from .deletion import honour_deletion
from .releases import redact_notes, release_counts
from .scenario import make_task
from .stages import CapstoneConfig, _check_config, train_central, train_federated, train_secure_federated

__all__ = ["GUIDE_EPSILONS", "Overheads", "measure_overheads", "decision_guide", "render_decision_guide",
           "budget_split"]

#: The epsilons at which the guide measures DP-SGD's accuracy cost.
GUIDE_EPSILONS = (1.0, 3.0, 8.0)


@dataclass(frozen=True)
class Overheads:
    """The lab's own measurements behind the guide's overhead column (accuracies per seed; volatile timings)."""

    baseline_accuracy: tuple[float, ...]
    dpsgd_accuracy: dict[float, tuple[float, ...]]
    fedavg_accuracy: tuple[float, ...]
    dp_fedavg_accuracy: tuple[float, ...]
    dp_fedavg_epsilon: float
    secagg_bytes_per_client_round: float
    secagg_client_seconds_per_round: float
    secagg_parameters: int
    paillier_ops_per_second: dict[str, float]
    paillier_key_bits: int
    deletion: dict | None = None  # honour_deletion's measurements (SISA), when measured
    redaction: dict | None = None  # redact_notes's measurements, when measured
    release: dict | None = None  # release_counts's measurements, when measured


def _points(accuracy: tuple[float, ...], baseline: tuple[float, ...]) -> tuple[float, float]:
    """Accuracy cost in percentage points (baseline minus technique) per seed: mean and sd over seeds."""
    cost = 100 * (np.array(baseline) - np.array(accuracy))
    return float(cost.mean()), float(cost.std(ddof=1)) if len(cost) > 1 else float("nan")


def measure_overheads(config: CapstoneConfig | None = None, paillier_ops: int = 5) -> Overheads:
    """Measure what the guide states: DP-SGD's accuracy cost at :data:`GUIDE_EPSILONS` on the hospital task (every
    seed of ``config``), DP-FedAvg's, secure aggregation's bytes and client seconds per round, and Paillier's
    operations per second at ``config.key_bits`` bits (``paillier_ops`` of each; wall clock)."""
    from .. import paillier
    from ..validation import check_positive_int

    config = _check_config(CapstoneConfig() if config is None else config)
    paillier_ops = check_positive_int(paillier_ops, "paillier_ops")
    task = make_task(config.n_train, config.n_heldout, seed=0)
    baseline = tuple(train_central(task, config, None, s).accuracy for s in config.seeds)
    dpsgd = {eps: tuple(train_central(task, config, eps, s).accuracy for s in config.seeds) for eps in GUIDE_EPSILONS}
    fedavg = tuple(train_federated(task, config, False, s).accuracy for s in config.seeds)
    dp_fedavg = tuple(train_federated(task, config, True, s).accuracy for s in config.seeds)
    secure = train_secure_federated(task, config, config.seeds[0])
    timings = paillier.benchmark(config.key_bits, n_keys=1, n_ops=paillier_ops, implementations=("teaching",))
    ops = {op: float(timings[op].iloc[0]) for op in ("keygen", "encrypt", "add", "decrypt")}
    deletion = honour_deletion(task, config, n_forget=min(100, len(task.clients[-1]) // 4), seed=config.seeds[0])
    return Overheads(baseline, dpsgd, fedavg, dp_fedavg, config.dp_fedavg_epsilon, secure["bytes_per_client_round"],
                     secure["client_seconds_per_round"], secure["parameters"], ops, config.key_bits, deletion,
                     redact_notes(), release_counts(task, seed=config.seeds[0]))


def _check_overheads(overheads: Overheads) -> Overheads:
    if not isinstance(overheads, Overheads):
        raise ParameterTypeError(f"overheads must be the Overheads of measure_overheads, "
                                 f"got {type(overheads).__name__}")
    return overheads


def decision_guide(overheads: Overheads, timings: bool = True) -> pd.DataFrame:
    """The guide as a table: technique (with its lesson), what it protects against, its overhead as the lab
    measured it on the hospital task, and when to use it. ``timings=False`` leaves out the wall-clock figures
    (they change from run to run; a lesson prints only what reproduces)."""
    o = _check_overheads(overheads)
    if not isinstance(timings, bool):
        raise ParameterTypeError(f"timings must be True or False, got {timings!r}")
    dp_costs = ", ".join(f"{_points(o.dpsgd_accuracy[e], o.baseline_accuracy)[0]:+.1f} ± "
                         f"{_points(o.dpsgd_accuracy[e], o.baseline_accuracy)[1]:.1f} at ε = {e:g}"
                         for e in GUIDE_EPSILONS)
    fed_cost, fed_sd = _points(o.fedavg_accuracy, o.baseline_accuracy)
    dpfed_cost, dpfed_sd = _points(o.dp_fedavg_accuracy, o.baseline_accuracy)
    secagg = f"{o.secagg_bytes_per_client_round / 1000:.1f} kB per hospital per round for {o.secagg_parameters} " \
             "parameters (3 hospitals)"
    if timings:
        secagg += f", {1000 * o.secagg_client_seconds_per_round:.0f} ms of client work per round"
    ciphertext = 2 * o.paillier_key_bits // 8
    paillier = f"each feature becomes a {ciphertext}-byte ciphertext ({ciphertext // 8}× a float64)"
    if timings:
        ops = o.paillier_ops_per_second
        paillier += (f"; {ops['encrypt']:.0f} encryptions, {ops['add']:.0f} additions and {ops['decrypt']:.0f} "
                     f"decryptions per second at {o.paillier_key_bits} bits (one core)")
    rows = [
        ("DP-SGD", "02_dpsgd.ipynb", "membership inference and reconstruction from the released model",
         f"accuracy cost in points (mean ± sd over seeds): {dp_costs}",
         "a model trained on personal data is released, shared or served to people outside"),
        ("federated learning (FedAvg)", "05_federated_learning.ipynb", "pooling every site's records in one place",
         f"accuracy cost {fed_cost:+.1f} ± {fed_sd:.1f} points; rounds of communication instead of one upload",
         "records may not leave their site, and the sites can run training"),
        ("secure aggregation", "06_secure_aggregation.ipynb", "a curious server reading one site's update", secagg,
         "the aggregator is not trusted with individual updates (it still sees the sum and the model)"),
        ("DP-FedAvg", "05_federated_learning.ipynb", "what the model reveals about one whole site",
         f"accuracy cost {dpfed_cost:+.1f} ± {dpfed_sd:.1f} points at ε = {o.dp_fedavg_epsilon:g} per site with 3 "
         "sites", "many sites (hundreds or more): with three, the noise that hides one site hides the signal"),
        ("encrypted inference (Paillier)", "07_homomorphic_encryption.ipynb",
         "the model server reading a client's features", paillier,
         "the inputs are sensitive, the model is linear (or small), and a few predictions per second suffice"),
    ]
    if o.deletion is not None:
        d = o.deletion
        share = d["samples"] / d["retrain_samples"]
        gap = 100 * (np.mean(o.baseline_accuracy) - d["accuracy_before"])
        rows.append(("SISA unlearning", "10_machine_unlearning.ipynb", "a deleted record still shaping the model",
                     f"deleting {d['n_forget']} records of one hospital processed {share:.2f} of a full retraining; "
                     f"the per-hospital ensemble scored {gap:.1f} points below one model (one seed)",
                     "deletion requests are expected and retraining from scratch each time is too slow"))
    rows = _release_rows(o, timings) + rows
    return pd.DataFrame(rows, columns=["technique", "lesson", "protects against", "overhead (measured)", "use when"])


def _release_rows(o: Overheads, timings: bool) -> list[tuple[str, ...]]:
    """The guide's rows for stages 1 and 2, when they were measured."""
    rows = []
    if o.redaction is not None:
        r = o.redaction
        cost = (f"{r['share_left']:.0%} of the PII spans left readable (every name: no NER model offline); "
                f"{r['text_kept']:.1%} of the other text kept")
        if timings:
            cost += f"; {1000 * r['seconds_per_note']:.0f} ms per note"
        rows.append(("PII redaction (Presidio)", "08_pii_and_anonymization.ipynb",
                     "identifiers in free text read by whoever gets the notes", cost,
                     "notes must leave the team that wrote them; pair it with a NER model and a human check"))
    if o.release is not None:
        r = o.release
        rows.append((f"k-anonymity (Mondrian, k = {r['k']})", "08_pii_and_anonymization.ipynb",
                     "linkage on quasi-identifiers (birth date, sex, ZIP)",
                     f"re-identified {r['linkage_deidentified']:.0%} → {r['linkage_k_anonymous']:.0%} of the voter "
                     f"roll; diagnosis counts exact (error {r['error_k_anonymous']:.2f})",
                     "a row-level table must be shared and the attacker's side information is known"))
        rows.append((f"DP counts (Laplace, ε = {r['epsilon']:g})", "01_laplace_mechanism.ipynb",
                     "any linkage or differencing, whatever the attacker knows",
                     f"mean relative error {r['error_dp_counts']:.2f} on 27 diagnosis-by-hospital counts",
                     "the statistics, not the rows, are what people need"))
        if "error_dp_synthetic" in r:
            rows.append((f"DP synthetic data (MST, ε = {r['epsilon']:g})", "09_synthetic_data.ipynb",
                         "linkage and membership inference on released rows, whatever the attacker knows",
                         f"mean relative error {r['error_dp_synthetic']:.2f} on the same 27 counts; "
                         f"{r['linkage_dp_synthetic']:.1%} of voters matched one sampled row by chance",
                         "analysts need rows with the table's structure, and coarse statistics suffice"))
    return rows


def render_decision_guide(overheads: Overheads, timings: bool = True, prefix: str = "../notebooks/") -> str:
    """The guide as a Markdown page (``docs/decision_guide.md``), each technique linked to its lesson."""
    table = decision_guide(overheads, timings)
    if not isinstance(prefix, str):
        raise ParameterTypeError(f"prefix must be a str, got {type(prefix).__name__}")
    lines = ["# Which technique when", "",
             "Generated by `python -m ppml_lab capstone --out DIR --guide docs/decision_guide.md` from the lab's own "
             "measurements on the hospital task of [lesson 11](" + prefix + "11_capstone.ipynb) "
             "(`ppml_lab.capstone.guide`); accuracy costs are percentage points against the non-private model "
             "(negative: the private model scored higher, within the spread over seeds); timings are those of the "
             "machine that ran it. Teaching material, not legal advice: see the compliance map in the README.", "",
             "| technique | protects against | overhead (measured) | use when |", "|---|---|---|---|"]
    for row in table.itertuples(index=False):
        lines.append(f"| [{row.technique}]({prefix}{row.lesson}) | {row[2]} | {row[3]} | {row[4]} |")
    return "\n".join(lines) + "\n"


def budget_split(training_epsilon: float, total_epsilon: float = 10.0,
                 config: CapstoneConfig | None = None) -> dict:
    """Split one per-record budget between the DP-SGD model and a DP release of the chronic-case count at each
    hospital, through a :class:`ppml_lab.PrivacyLedger` (basic composition): the model gets
    ``training_epsilon``, the release the rest. Returns the ledger's history, the model's test accuracy
    (trained at that epsilon, seed ``config.seeds[0]``) and the release's mean absolute error (Laplace,
    sensitivity 1 per count; a hospital's count is one query on disjoint rows, so the three share one epsilon)."""
    from ..accounting import PrivacyLedger
    from ..queries import private_count

    total_epsilon = check_epsilon(total_epsilon, "total_epsilon")
    training_epsilon = check_epsilon(training_epsilon, "training_epsilon")
    if training_epsilon >= total_epsilon:
        raise ValueError(f"training_epsilon must be < total_epsilon={total_epsilon:g} (leave some for the release), "
                         f"got {training_epsilon:g}")
    config = _check_config(CapstoneConfig() if config is None else config)
    task = make_task(config.n_train, config.n_heldout, seed=0)
    ledger = PrivacyLedger(total_epsilon, config.delta)
    ledger.spend("DP-SGD model", training_epsilon, config.delta)
    release_epsilon = total_epsilon - training_epsilon
    ledger.spend("chronic counts per hospital", release_epsilon)
    accuracy = train_central(task, config, training_epsilon, config.seeds[0]).accuracy
    rng = np.random.default_rng(np.random.SeedSequence([config.seeds[0], 15]))
    errors = [abs(private_count(client.labels == 1, release_epsilon, rng) - int((client.labels == 1).sum()))
              for client in task.clients]
    return {"ledger": ledger.history(), "accuracy": accuracy, "release_epsilon": release_epsilon,
            "count_error": float(np.mean(errors)), "shares": {"DP-SGD model": training_epsilon,
                                                              "hospital counts": release_epsilon}}
