"""A non-private baseline generator: a Gaussian copula from the maintained ``copulas`` library (the SDV's own).

Each discrete column is mapped to (0, 1) by its empirical CDF with uniform jitter inside each code's interval
(the frequency encoding of the SDV's RDT), so every marginal is exactly uniform; ``copulas`` then fits the
correlation of the normal scores and samples; the inverse map returns codes. No noise anywhere: the real
marginals are copied exactly, the dependence only through one correlation matrix. Taught in
``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..seeding import as_rng
from ..validation import check_positive_int
from .discretise import TableDomain, encode
from .mst import _check_codes

__all__ = ["CopulaResult", "fit_gaussian_copula"]


@dataclass(frozen=True)
class CopulaResult:
    """A fitted copula baseline: the synthetic table (codes) and the correlation matrix of the normal scores."""

    synthetic: pd.DataFrame
    correlation: pd.DataFrame
    epsilon: None = None


def _to_unit(codes: np.ndarray, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    cdf = np.concatenate([[0.0], np.cumsum(np.bincount(codes, minlength=size)) / len(codes)])
    return cdf[codes] + rng.random(len(codes)) * (cdf[codes + 1] - cdf[codes]), cdf


def fit_gaussian_copula(table: pd.DataFrame, domain: TableDomain, n_rows: int | None = None,
                        rng: np.random.Generator | int | None = None) -> CopulaResult:
    """Fit ``copulas.multivariate.GaussianMultivariate`` to the frequency-encoded table and sample ``n_rows``."""
    from copulas.multivariate import GaussianMultivariate
    from copulas.univariate import UniformUnivariate

    codes = _check_codes(encode(table, domain), domain)
    n_rows = len(codes) if n_rows is None else check_positive_int(n_rows, "n_rows")
    generator = as_rng(rng)
    unit, cdfs = {}, {}
    for column in domain.columns:
        unit[column], cdfs[column] = _to_unit(codes[column].to_numpy(), domain.size(column), generator)
    saved = np.random.get_state()  # copulas samples from NumPy's legacy global generator
    try:
        np.random.seed(int(generator.integers(2**32)))
        model = GaussianMultivariate(distribution=UniformUnivariate)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant-free columns; fit is still exact
            model.fit(pd.DataFrame(unit))
        sampled = model.sample(n_rows)
    finally:
        np.random.set_state(saved)
    out = {column: np.clip(np.searchsorted(cdfs[column], np.clip(sampled[column].to_numpy(), 0, 1), side="right") - 1,
                           0, domain.size(column) - 1) for column in domain.columns}
    return CopulaResult(pd.DataFrame(out), pd.DataFrame(model.correlation, index=domain.columns,
                                                        columns=domain.columns))
