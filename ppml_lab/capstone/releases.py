"""Stages 1 and 2 of the capstone: the notes redacted (lesson 08), and the counts released four ways (lessons 08, 09).

Taught in ``notebooks/11_capstone.ipynb``. Stage 1 runs lesson 08's offline Presidio analyzer on its labelled
corpus of clinical-style notes and measures what is left. Stage 2 releases the training admissions' diagnosis
counts per hospital as a de-identified table (names removed), a k-anonymous table (Mondrian, LeFevre et al. 2006)
differentially private counts (the Laplace mechanism) and DP synthetic data (lesson 09's MST, McKenna et al.
2021), and runs lesson 08's linkage attack (Sweeney 2000) with a voter roll against each.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ..cache import cached
from ..validation import check_epsilon, check_positive_int
from .scenario import HospitalTask
from .stages import _check_task

__all__ = ["redact_notes", "release_counts", "count_queries"]

#: The delta of the DP synthetic release (lesson 09's MST); its epsilon is the DP counts' epsilon.
MST_DELTA = 1e-6


def redact_notes() -> dict:
    """Lesson 08's offline analyzer (patterns, ZIP and employee-id recognizers, no NER model) on its labelled
    corpus: the share of gold PII spans it leaves readable (overlap matching), per entity type, and the share of
    the non-PII characters it keeps. Cached."""
    return cached("capstone_redaction", {"version": 1}, _redact)


def _redact() -> dict:
    from ..pii import detect, load_corpus, make_analyzer, misses, score

    records = load_corpus()
    began = time.perf_counter()
    analyzer = make_analyzer()
    found = detect(analyzer, records)
    seconds = (time.perf_counter() - began) / len(records)
    table = score(records, found, "overlap")
    wrong = misses(records, found, "overlap")
    spurious_chars = int(wrong.loc[wrong["kind"] == "spurious", "text"].str.len().sum())
    pii_chars = sum(span.end - span.start for record in records for span in record.spans)
    text_chars = sum(len(record.text) for record in records)
    left = table["fn"].sum() / table["gold"].sum()
    return {"notes": len(records), "spans": int(table["gold"].sum()), "share_left": float(left),
            "left_by_entity": (table["fn"] / table["gold"]).to_dict(), "gold_by_entity": table["gold"].to_dict(),
            "text_kept": 1 - spurious_chars / (text_chars - pii_chars), "seconds_per_note": seconds}


def count_queries(rows: pd.DataFrame) -> pd.Series:
    """The released statistic: admissions per (hospital, diagnosis), every pair of the table's public values."""
    from ..datasets import load_hospital

    if not isinstance(rows, pd.DataFrame) or not {"hospital", "diagnosis"} <= set(rows.columns):
        raise ValueError("rows must be a DataFrame of admissions with hospital and diagnosis columns")
    full = load_hospital()
    index = pd.MultiIndex.from_product([sorted(full["hospital"].unique()), sorted(full["diagnosis"].unique())],
                                       names=["hospital", "diagnosis"])
    return rows.groupby(["hospital", "diagnosis"]).size().reindex(index, fill_value=0).astype(float)


def release_counts(task: HospitalTask, k: int = 10, epsilon: float = 1.0, seed: int = 0) -> dict:
    """Release the training admissions four ways and attack each with a voter roll holding the names, sex, birth
    date and ZIP code of a random half of them (``anonymity.make_voter_roll``).

    Returns the linkage attack's re-identification rate on the de-identified table, on Mondrian's k-anonymous
    table (quasi-identifiers sex, birth date, ZIP), on DP counts (no rows, so nothing links) and on MST's
    synthetic table at the same (epsilon, delta = 1e-6) over lesson 09's domain, as many rows as the training
    admissions (it has age bands, not birth dates: lesson 09's ``linkage_on_release`` joins on sex, age band and
    ZIP, and ``mst_diagnosis_right`` is the share of linked voters whose linked row carries their true diagnosis);
    and each release's mean relative error on :func:`count_queries` (Laplace noise of scale 2 / epsilon per count:
    one admission replaced moves two counts by one). Cached.
    """
    from ..datasets import load_hospital

    _check_task(task)
    k = check_positive_int(k, "k", minimum=2)
    epsilon = check_epsilon(epsilon)
    seed = check_positive_int(seed, "seed", minimum=0)
    key = {"version": 2, "mst_delta": MST_DELTA, "rows": task.rows.tolist(), "k": k, "epsilon": epsilon, "seed": seed}
    return cached("capstone_release", key,
                  lambda: _release(load_hospital().iloc[task.rows].reset_index(drop=True), k, epsilon, seed))


def _release(people: pd.DataFrame, k: int, epsilon: float, seed: int) -> dict:
    from ..anonymity import QUASI_IDENTIFIERS, linkage_attack, make_voter_roll, mondrian
    from ..mechanisms import laplace_mechanism

    qis = list(QUASI_IDENTIFIERS)
    roll = make_voter_roll(people, 0.5, rng=seed)
    deidentified = people[[*qis, "hospital", "diagnosis"]]
    anonymous = mondrian(deidentified, qis, k).release
    truth = count_queries(people)
    noisy = pd.Series(laplace_mechanism(truth.to_numpy(), 2.0, epsilon, np.random.default_rng([seed, 17])),
                      index=truth.index)

    def relative_error(answers: pd.Series) -> float:
        return float((np.abs(answers - truth) / np.maximum(truth, 1.0)).mean())

    synthetic, mst_linkage, mst_right = _synthetic_release(people, epsilon, seed)
    return {"k": k, "epsilon": epsilon, "delta": MST_DELTA, "voters": len(roll),
            "linkage_deidentified": linkage_attack(deidentified, roll, qis, "name").rate,
            "linkage_k_anonymous": linkage_attack(anonymous, roll, qis, "name").rate,
            "linkage_dp_counts": 0.0, "linkage_dp_synthetic": mst_linkage, "mst_diagnosis_right": mst_right,
            "error_deidentified": relative_error(count_queries(deidentified)),
            "error_k_anonymous": relative_error(count_queries(anonymous)), "error_dp_counts": relative_error(noisy),
            "error_dp_synthetic": relative_error(count_queries(synthetic))}


def _synthetic_release(people: pd.DataFrame, epsilon: float, seed: int) -> tuple[pd.DataFrame, float, float]:
    """MST (lesson 09) fitted on ``people`` over its domain: the decoded rows, the voter roll's linkage rate on
    sex, age band and ZIP, and the share of linked voters given their true diagnosis."""
    from ..anonymity import make_voter_roll
    from ..datasets import load_hospital
    from ..synthetic import decode, fit_mst, hospital_domain
    from ..synthetic.experiments import linkage_on_release

    domain = hospital_domain(load_hospital())
    fit = fit_mst(people, domain, epsilon, MST_DELTA, rng=np.random.default_rng([seed, 9]))
    voters = make_voter_roll(people, 0.5, rng=seed, columns=list(people.columns))
    linkage, right = linkage_on_release(fit.synthetic, voters, domain)
    return decode(fit.synthetic, domain, np.random.default_rng([seed, 10])), linkage.rate, right
