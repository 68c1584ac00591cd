"""The capstone's scenario: three hospitals, one table, one prediction task (lesson 11).

Taught in ``notebooks/11_capstone.ipynb``. The task is binary on purpose: from the administrative record of an
admission (age, sex, smoking, length of stay, hospital), does it carry a *chronic* diagnosis (hypertension,
diabetes, COPD, heart failure or dementia)? Nine diagnoses, two of them with fewer than 40 cases in 20,000
rows, make a multi-class task that no small private model learns; the binary grouping is balanced (45%
positive), learnable (a logistic regression reaches about 80% against 55% for the majority class), and its
model is linear, so the same trained model can be served on encrypted features (lesson 07) and its
federated training compared exactly with the central one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..datasets import ImageDataset, load_hospital
from ..validation import ParameterTypeError, check_positive_int

__all__ = ["HOSPITALS", "CHRONIC_DIAGNOSES", "FEATURE_NAMES", "HospitalTask", "encode_features", "chronic_label",
           "make_task"]

#: The three sites, in the order the federated clients use.
HOSPITALS = ("north", "central", "south")
#: The diagnoses that make the label 1 ("chronic condition").
CHRONIC_DIAGNOSES = ("hypertension", "diabetes", "copd", "heart failure", "dementia")
#: The model's inputs, each scaled to about [0, 1] by a fixed formula (no statistic fitted on the data).
FEATURE_NAMES = ("age / 100", "female", "smoker", "log(1 + stay) / 4", "at north", "at central", "at south")


def _check_table(table: pd.DataFrame) -> pd.DataFrame:
    needed = {"age", "sex", "smoker", "length_of_stay", "hospital", "diagnosis"}
    if not isinstance(table, pd.DataFrame):
        raise ParameterTypeError(f"table must be a pandas DataFrame like load_hospital()'s, got {type(table).__name__}")
    missing = sorted(needed - set(table.columns))
    if missing or table.empty:
        raise ValueError(f"table must be a non-empty hospital table with columns {sorted(needed)}; "
                         f"missing {missing}, {len(table)} rows")
    return table


def encode_features(table: pd.DataFrame) -> np.ndarray:
    """The model's input matrix (float32, one row per admission, :data:`FEATURE_NAMES`), by fixed formulas.

    No mean or standard deviation is fitted, so encoding spends no privacy budget and every hospital
    encodes its own rows the same way without talking to the others.
    """
    table = _check_table(table)
    columns = [table["age"].to_numpy(float) / 100, (table["sex"] == "F").to_numpy(float),
               (table["smoker"] == "yes").to_numpy(float), np.log1p(table["length_of_stay"].to_numpy(float)) / 4]
    columns += [(table["hospital"] == name).to_numpy(float) for name in HOSPITALS]
    return np.column_stack(columns).astype(np.float32)


def chronic_label(table: pd.DataFrame) -> np.ndarray:
    """1 where the admission's diagnosis is one of :data:`CHRONIC_DIAGNOSES`, else 0 (int64)."""
    table = _check_table(table)
    return table["diagnosis"].isin(CHRONIC_DIAGNOSES).to_numpy().astype(np.int64)


@dataclass(frozen=True)
class HospitalTask:
    """The split every stage shares: who trains on what, what is held out, and what the attacker holds.

    ``train`` is the union of ``clients`` (one per hospital, in :data:`HOSPITALS` order); ``validation`` picks
    hyper-parameters; ``test`` is touched only to report; ``pool`` is the attacker's own admissions (disjoint
    from everything else); ``candidates`` = half members of ``train``, half from ``outside`` (never trained on),
    with ``is_member`` saying which, for the membership audit. ``rows`` are the table rows of ``train``.
    """

    train: ImageDataset
    clients: tuple[ImageDataset, ...]
    validation: ImageDataset
    test: ImageDataset
    pool: ImageDataset
    candidates: ImageDataset
    is_member: np.ndarray
    rows: np.ndarray
    feature_names: tuple[str, ...] = FEATURE_NAMES

    @property
    def n_features(self) -> int:
        """Number of input features."""
        return int(self.train.images.shape[1])


def _subset(features: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> ImageDataset:
    return ImageDataset(features[rows], labels[rows])


def make_task(n_train: int = 3000, n_heldout: int = 2000, seed: int = 0,
              table: pd.DataFrame | None = None) -> HospitalTask:
    """Split ``load_hospital()`` at random into train (``n_train``, split by hospital), validation, test, an
    outside set and the attacker's pool (``n_heldout`` each), seeded by ``seed``.

    A few thousand admissions keep every stage, DP-SGD and Paillier included, fast on two cores; the rest
    of the 20,000 stay unused.
    """
    n_train = check_positive_int(n_train, "n_train", minimum=100)
    n_heldout = check_positive_int(n_heldout, "n_heldout", minimum=100)
    seed = check_positive_int(seed, "seed", minimum=0)
    table = load_hospital() if table is None else _check_table(table)
    if n_train + 4 * n_heldout > len(table):
        raise ValueError(f"n_train + 4 * n_heldout must be <= {len(table)} rows, got n_train={n_train}, "
                         f"n_heldout={n_heldout}")
    features, labels = encode_features(table), chronic_label(table)
    order = np.random.default_rng(np.random.SeedSequence([seed, 11])).permutation(len(table))
    train_rows = np.sort(order[:n_train])
    validation, test, outside, pool = (np.sort(order[n_train + i * n_heldout: n_train + (i + 1) * n_heldout])
                                       for i in range(4))
    hospital = table["hospital"].to_numpy()
    clients = tuple(_subset(features, labels, train_rows[hospital[train_rows] == name]) for name in HOSPITALS)
    half = min(n_train, n_heldout) // 2
    picker = np.random.default_rng(np.random.SeedSequence([seed, 12]))
    members, non_members = picker.choice(train_rows, half, replace=False), picker.choice(outside, half, replace=False)
    candidate_rows = np.concatenate([members, non_members])
    return HospitalTask(train=_subset(features, labels, train_rows), clients=clients,
                        validation=_subset(features, labels, validation), test=_subset(features, labels, test),
                        pool=_subset(features, labels, pool), candidates=_subset(features, labels, candidate_rows),
                        is_member=np.r_[np.ones(half, bool), np.zeros(half, bool)], rows=train_rows)
