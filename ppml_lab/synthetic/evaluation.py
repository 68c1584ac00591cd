"""Judge a synthetic table on three axes: fidelity, utility and privacy (against the real table's codes).

Fidelity: total variation distance (TVD) of every 1-way and 2-way marginal (``sdmetrics``' TVComplement and
ContingencySimilarity are 1 - these), and the difference of a correlation. Utility: train on synthetic, test on
real (TSTR) against train on real, test on real (TRTR), with one fixed classifier. Privacy: the distance to the
closest record (DCR) against a real holdout (Platzer & Reutterer 2021): a generator that copies its training rows
puts more synthetic rows closer to the training table than to an equally large holdout. Taught in
``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..validation import ParameterTypeError, check_positive_int
from .discretise import TableDomain
from .mst import _check_codes, marginal

__all__ = ["tvd", "one_way_tvd", "two_way_tvd", "correlation_difference", "tstr_auc", "dcr_share", "fidelity_utility"]


def tvd(p_counts: np.ndarray, q_counts: np.ndarray) -> float:
    """Total variation distance between two count vectors, each normalised: half the L1 distance."""
    p, q = (np.asarray(v, dtype=float) for v in (p_counts, q_counts))
    if p.shape != q.shape or p.ndim != 1 or p.sum() <= 0 or q.sum() <= 0 or p.min() < 0 or q.min() < 0:
        raise ValueError(f"p_counts and q_counts must be non-negative 1-D counts of one shape with a positive total, "
                         f"got shapes {p.shape} and {q.shape}")
    return float(0.5 * np.abs(p / p.sum() - q / q.sum()).sum())


def _pair(real: pd.DataFrame, synthetic: pd.DataFrame, domain: TableDomain) -> None:
    _check_codes(real, domain)
    _check_codes(synthetic, domain)


def one_way_tvd(real: pd.DataFrame, synthetic: pd.DataFrame, domain: TableDomain) -> dict[str, float]:
    """Column -> TVD of its 1-way marginal."""
    _pair(real, synthetic, domain)
    return {c: tvd(marginal(real, domain, (c,)), marginal(synthetic, domain, (c,))) for c in domain.columns}


def two_way_tvd(real: pd.DataFrame, synthetic: pd.DataFrame, domain: TableDomain) -> dict[tuple[str, str], float]:
    """Pair of columns -> TVD of its 2-way marginal."""
    _pair(real, synthetic, domain)
    return {pair: tvd(marginal(real, domain, pair), marginal(synthetic, domain, pair))
            for pair in itertools.combinations(domain.columns, 2)}


def correlation_difference(real: pd.DataFrame, synthetic: pd.DataFrame, columns: Sequence[str]) -> float:
    """Mean |Pearson r (real) - r (synthetic)| over pairs of ``columns`` (ordinal codes or numbers)."""
    for name, table in (("real", real), ("synthetic", synthetic)):
        if not isinstance(table, pd.DataFrame):
            raise ParameterTypeError(f"{name} must be a DataFrame, got {type(table).__name__}")
    if isinstance(columns, str) or len(columns) < 2 or any(c not in real or c not in synthetic for c in columns):
        raise ValueError(f"columns must name at least two columns of both tables, got {columns!r}")
    diffs = [abs(real[a].corr(real[b]) - synthetic[a].corr(synthetic[b]))
             for a, b in itertools.combinations(columns, 2)]
    return float(np.nanmean(diffs))


def _features(codes: pd.DataFrame, domain: TableDomain, target: str) -> np.ndarray:
    blocks = [np.eye(domain.size(c))[codes[c].to_numpy()] for c in domain.columns if c != target]
    return np.hstack(blocks)


def tstr_auc(train: pd.DataFrame, test: pd.DataFrame, domain: TableDomain, target: str = "length_of_stay",
             positive_from: int = 4) -> float:
    """ROC AUC on ``test`` of a logistic regression (one-hot features, fitted to convergence) trained on ``train``.

    The label is ``target``'s code >= ``positive_from`` (for the hospital: a stay of 5 days or more). With
    synthetic ``train`` this is TSTR; with real ``train`` TRTR.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    _pair(train, test, domain)
    if target not in domain.columns:
        raise ValueError(f"target must be one of the domain's columns {list(domain.columns)}, got {target!r}")
    positive_from = check_positive_int(positive_from, "positive_from")
    y_train, y_test = (t[target].to_numpy() >= positive_from for t in (train, test))
    if len(set(y_train)) < 2 or len(set(y_test)) < 2:
        return float("nan")
    model = LogisticRegression(C=1.0, max_iter=5000, tol=1e-10)
    model.fit(_features(train, domain, target), y_train)
    return float(roc_auc_score(y_test, model.decision_function(_features(test, domain, target))))


def _nearest_hamming(queries: np.ndarray, reference: np.ndarray, chunk: int = 256) -> np.ndarray:
    out = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), chunk):
        block = queries[start:start + chunk]
        out[start:start + chunk] = (block[:, None, :] != reference[None, :, :]).sum(axis=2).min(axis=1)
    return out


def dcr_share(synthetic: pd.DataFrame, train: pd.DataFrame, holdout: pd.DataFrame,
              domain: TableDomain) -> float:
    """Share of synthetic rows closer (Hamming distance on codes) to ``train`` than to ``holdout``; ties count half.

    About 0.5 when the generator does not favour its training rows (``train`` and ``holdout`` equally large).
    """
    _pair(train, holdout, domain)
    _check_codes(synthetic, domain)
    if len(train) != len(holdout):
        raise ValueError(f"train and holdout must be equally large, got {len(train)} and {len(holdout)} rows")
    cols = list(domain.columns)
    rows, counts = np.unique(synthetic[cols].to_numpy(), axis=0, return_counts=True)
    to_train = _nearest_hamming(rows, np.unique(train[cols].to_numpy(), axis=0))
    to_holdout = _nearest_hamming(rows, np.unique(holdout[cols].to_numpy(), axis=0))
    closer = (to_train < to_holdout) + 0.5 * (to_train == to_holdout)
    return float((closer * counts).sum() / counts.sum())


def fidelity_utility(synthetic: pd.DataFrame, train: pd.DataFrame, holdout: pd.DataFrame,
                     domain: TableDomain, numeric: Sequence[str] = ("age", "length_of_stay")) -> dict[str, float]:
    """One row of the lesson's table: mean 1-way and 2-way TVD, correlation difference, TSTR AUC and DCR share."""
    _pair(train, holdout, domain)
    _check_codes(synthetic, domain)
    return {"1-way TVD": float(np.mean(list(one_way_tvd(train, synthetic, domain).values()))),
            "2-way TVD": float(np.mean(list(two_way_tvd(train, synthetic, domain).values()))),
            "corr. diff.": correlation_difference(train, synthetic, numeric),
            "TSTR AUC": tstr_auc(synthetic, holdout, domain),
            "DCR share": dcr_share(synthetic, train, holdout, domain)}
