"""A differentially private release beside k-anonymity: a contingency table with OpenDP's Laplace mechanism.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. The table counts patients per (ZIP3 region, birth decade,
sex, diagnosis) over a public domain; adding or removing one patient changes one cell by one, so the L1
sensitivity is 1 and integer (discrete) Laplace noise of scale 1/epsilon gives epsilon-DP (Dwork et al. 2006;
OpenDP samples it exactly, Canonne, Kamath and Steinke 2020). Clipping at zero and summing cells into counting
queries are post-processing and cost no privacy. OpenDP cannot be seeded, so sweeps that must reproduce use
:func:`simulate_release`, the same distribution from a seeded generator (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..seeding import as_rng
from ..validation import check_array, check_epsilon
from ._checks import check_columns, check_table
from .utility import DECADES, REGIONS

__all__ = ["DPTable", "contingency_table", "answers_from_table", "release_contingency_table",
           "discrete_laplace", "simulate_release"]


@dataclass(frozen=True)
class DPTable:
    """Noisy non-negative integer counts (region x decade x sex x value), their epsilon and the noise scale."""

    counts: np.ndarray
    epsilon: float
    scale: float
    values: tuple[str, ...]


def contingency_table(table: pd.DataFrame, values: Sequence[str], sensitive: str = "diagnosis") -> np.ndarray:
    """Exact counts per (ZIP3 region, birth decade, sex, sensitive value) over the public domain."""
    check_table(table, "table")
    check_columns(table, ["zip", "birth_date", "sex", sensitive], "table")
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"values must be a non-empty list of the sensitive attribute's values, got {values!r}")
    axes = [(table["zip"].astype(str).str[:3], REGIONS), (table["birth_date"].astype(str).str[:3], DECADES),
            (table["sex"].astype(str), ("F", "M")), (table[sensitive].astype(str), tuple(values))]
    codes = []
    for column, domain in axes:
        code = pd.Index(list(domain)).get_indexer(column)
        if (code < 0).any():
            raise ValueError(f"table holds values outside the public domain {list(domain)}: "
                             f"{sorted(set(column[code < 0]))[:5]}")
        codes.append(code)
    counts = np.zeros([len(domain) for _, domain in axes], dtype=np.int64)
    np.add.at(counts, tuple(codes), 1)
    return counts


def answers_from_table(counts: np.ndarray, values: Sequence[str], sensitive: str = "diagnosis") -> pd.Series:
    """The 144 counting queries of :func:`ppml_lab.anonymity.utility.query_answers`, summed from a table."""
    counts = check_array(counts, "counts", ndim=4)
    if counts.shape != (len(REGIONS), len(DECADES), 2, len(values)):
        raise ValueError(f"counts must have shape {(len(REGIONS), len(DECADES), 2, len(values))}, got {counts.shape}")
    by_region, by_decade = counts.sum(axis=1), counts.sum(axis=(0, 2))
    index = [("region", r, s, v) for r in REGIONS for s in "FM" for v in values] + \
            [("decade", d, "*", v) for d in DECADES for v in values]
    return pd.Series(np.concatenate([by_region.ravel(), by_decade.ravel()]),
                     index=pd.MultiIndex.from_tuples(index, names=["query", "where", "sex", sensitive]))


def release_contingency_table(counts: np.ndarray, epsilon: float, values: Sequence[str]) -> DPTable:
    """Release ``counts`` with OpenDP's integer Laplace mechanism (L1 sensitivity 1), clipped at zero."""
    counts = check_array(counts, "counts", ndim=4, dtype=np.int64)
    epsilon = check_epsilon(epsilon)
    import opendp.prelude as dp

    dp.enable_features("contrib")
    measurement = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int),
                                    scale=1.0 / epsilon)
    certified = float(measurement.map(1))
    noisy = np.asarray(measurement(counts.ravel().tolist()), dtype=np.int64).reshape(counts.shape)
    return DPTable(counts=np.clip(noisy, 0, None), epsilon=certified, scale=1.0 / epsilon, values=tuple(values))


def discrete_laplace(shape: tuple[int, ...], scale: float, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Integer Laplace noise, P(z) proportional to exp(-|z| / scale): the difference of two geometric draws."""
    from ..validation import check_positive

    scale = check_positive(scale, "scale")
    generator = as_rng(rng)
    p = -np.expm1(-1.0 / scale)
    return generator.geometric(p, size=shape) - generator.geometric(p, size=shape)


def simulate_release(counts: np.ndarray, epsilon: float, values: Sequence[str],
                     rng: np.random.Generator | int | None = None) -> DPTable:
    """What :func:`release_contingency_table` releases, drawn from a seeded generator (for sweeps that reproduce)."""
    counts = check_array(counts, "counts", ndim=4, dtype=np.int64)
    epsilon = check_epsilon(epsilon)
    noisy = counts + discrete_laplace(counts.shape, 1.0 / epsilon, rng)
    return DPTable(counts=np.clip(noisy, 0, None), epsilon=epsilon, scale=1.0 / epsilon, values=tuple(values))
