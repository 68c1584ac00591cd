"""Estimate a graphical model from noisy marginals and sample from it, with Private-PGM (``mbi``, McKenna et al. 2019).

Post-processing only: the model sees the noisy measurements, never the data, so it costs no privacy.
JAX runs in float64 and without its persistent compilation cache (as ``mbi`` advises on import), and the
estimate runs a fixed number of mirror-descent iterations, so its result does not depend on when a tolerance is
crossed. Taught in ``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..seeding import as_rng
from ..validation import ParameterTypeError, check_positive, check_positive_int
from .discretise import TableDomain

__all__ = ["Measurement", "estimate_model", "sample_model"]


@dataclass(frozen=True)
class Measurement:
    """One noisy marginal: the counts of ``clique`` (flattened, C order) plus Gaussian noise of std ``sigma``."""

    clique: tuple[str, ...]
    noisy_counts: np.ndarray
    sigma: float


def _mbi() -> Any:
    """Import ``mbi`` with JAX in float64 and its compilation cache off (what mbi's import-time warnings ask for)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_enable_compilation_cache", False)
    import mbi

    return mbi


def _mbi_domain(domain: TableDomain) -> Any:
    return _mbi().Domain(list(domain.columns), [domain.size(column) for column in domain.columns])


def _check_measurements(measurements: Sequence[Measurement], domain: TableDomain) -> list[Measurement]:
    if not isinstance(measurements, Sequence) or not measurements:
        raise ParameterTypeError(f"measurements must be a non-empty list of Measurement, got {measurements!r}")
    for m in measurements:
        if not isinstance(m, Measurement):
            raise ParameterTypeError(f"measurements must hold Measurement objects, got {type(m).__name__}")
        unknown = [c for c in m.clique if c not in domain.columns]
        expected = int(np.prod([domain.size(c) for c in m.clique if c in domain.columns]))
        if unknown or np.size(m.noisy_counts) != expected:
            raise ValueError(f"measurements: clique {m.clique} does not fit the domain (unknown columns {unknown}, "
                             f"{np.size(m.noisy_counts)} counts for {expected} cells)")
    return list(measurements)


def estimate_model(measurements: Sequence[Measurement], domain: TableDomain, iters: int = 500) -> Any:
    """Private-PGM's model (a Markov random field) closest to the noisy marginals, by ``iters`` mirror-descent steps."""
    if not isinstance(domain, TableDomain):
        raise ParameterTypeError(f"domain must be a TableDomain, got {type(domain).__name__}")
    measurements = _check_measurements(measurements, domain)
    iters = check_positive_int(iters, "iters")
    mbi = _mbi()
    linear = [mbi.LinearMeasurement(np.asarray(m.noisy_counts, dtype=np.float64), m.clique, check_positive(
        m.sigma, "sigma")) for m in measurements]
    return mbi.estimation.MirrorDescent().estimate(_mbi_domain(domain), linear, iters=iters)


def _rounded(model: Any, decimals: int = 6) -> Any:
    """The model with its log-potentials rounded to ``decimals`` (a relative change of 1e-6 in any probability).

    Another CPU's arithmetic (SIMD width, summation order) moves the estimate; sampling by rounding and
    thresholds turns any difference into different rows. Rounding absorbs last-digit differences only: under the
    lab's cross-machine settings the estimate moves by more, and lesson 09's synthetic rows still differ there.
    """
    import jax
    import jax.numpy as jnp

    mbi = _mbi()
    potentials = jax.tree.map(lambda values: jnp.round(values, decimals), model.potentials)
    return mbi.MarkovRandomField(potentials=potentials, marginals=model.marginals,
                                 total=float(np.round(float(model.total), decimals)), constraints=model.constraints)


def sample_model(model: Any, domain: TableDomain, n_rows: int,
                 rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """``n_rows`` synthetic rows (integer codes) from the model, by mbi's randomised rounding.

    mbi draws from NumPy's legacy global generator; it is seeded from ``rng`` for the call and restored after,
    so the caller's global state is left as it was. The model's log-potentials are rounded first (:func:`_rounded`).
    """
    if not hasattr(model, "synthetic_data"):
        raise ParameterTypeError(f"model must be a Private-PGM model (from estimate_model), got {type(model).__name__}")
    if not isinstance(domain, TableDomain):
        raise ParameterTypeError(f"domain must be a TableDomain, got {type(domain).__name__}")
    n_rows = check_positive_int(n_rows, "n_rows")
    seed = int(as_rng(rng).integers(2**32))
    model = _rounded(model)
    saved = np.random.get_state()
    try:
        np.random.seed(seed)
        data = model.synthetic_data(rows=n_rows).to_dict()
    finally:
        np.random.set_state(saved)
    return pd.DataFrame({column: np.asarray(data[column], dtype=np.int64) for column in domain.columns})
