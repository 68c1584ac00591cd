"""MST (McKenna, Miklau & Sheldon 2021), the winner of the NIST 2018 synthetic-data challenge, step by step.

1. measure every 1-way marginal with Gaussian noise (a third of the zCDP budget rho);
2. choose the 2-way marginals that the 1-way ones explain worst, as a maximum spanning tree, one edge at a time
   with the exponential mechanism (a third);
3. measure those 2-way marginals (a third);
4. fit a graphical model to all the noisy marginals and sample from it (Private-PGM, :mod:`.pgm`).

Neighbouring tables differ by adding or removing one row (as in the paper): a count vector then changes by 1 in
one cell (L2 sensitivity 1), and so does each L1 selection score. The whole pipeline is rho-zCDP; it is reported
as (epsilon, delta) through the lab's RDP conversion (rho-zCDP is RDP of order a with epsilon(a) = rho * a).
Taught in ``notebooks/09_synthetic_data.ipynb``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..accounting.rdp import DEFAULT_ORDERS, rdp_to_epsilon
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_delta, check_epsilon, check_positive, check_positive_int
from .discretise import TableDomain, encode
from .pgm import Measurement, estimate_model, sample_model

__all__ = ["zcdp_to_epsilon", "rho_for_epsilon", "gaussian_sigma", "marginal", "measure_marginals",
           "exponential_mechanism", "exponential_mechanism_rho", "selection_scores", "select_tree", "MSTResult",
           "fit_mst"]


def zcdp_to_epsilon(rho: float, delta: float) -> float:
    """The epsilon of rho-zCDP at ``delta``, via RDP epsilon(a) = rho * a and the lab's ``rdp_to_epsilon``."""
    rho = check_positive(rho, "rho")
    if check_delta(delta) == 0.0:
        raise ValueError("delta must be in (0, 1) to state zCDP as (epsilon, delta), got 0.0")
    return rdp_to_epsilon(rho * DEFAULT_ORDERS, delta, DEFAULT_ORDERS)[0]


def rho_for_epsilon(epsilon: float, delta: float) -> float:
    """The largest zCDP rho whose (epsilon, delta) guarantee is ``epsilon`` (solved with Brent's method)."""
    epsilon = check_epsilon(epsilon)
    if check_delta(delta) == 0.0:
        raise ValueError("delta must be in (0, 1), got 0.0")
    return float(brentq(lambda rho: zcdp_to_epsilon(rho, delta) - epsilon, 1e-12, epsilon, xtol=1e-14, rtol=1e-12))


def gaussian_sigma(rho: float, n_marginals: int) -> float:
    """Noise std for each of ``n_marginals`` count vectors (L2 sensitivity 1) sharing rho: n * 1/(2 sigma^2) = rho."""
    rho = check_positive(rho, "rho")
    n_marginals = check_positive_int(n_marginals, "n_marginals")
    return math.sqrt(n_marginals / (2.0 * rho))


def _check_codes(codes: pd.DataFrame, domain: TableDomain) -> pd.DataFrame:
    if not isinstance(domain, TableDomain):
        raise ParameterTypeError(f"domain must be a TableDomain (from make_domain), got {type(domain).__name__}")
    if not isinstance(codes, pd.DataFrame):
        raise ParameterTypeError(f"codes must be a DataFrame of integer codes (from encode), "
                                 f"got {type(codes).__name__}")
    missing = [c for c in domain.columns if c not in codes.columns]
    if missing or codes.empty:
        raise ValueError(f"codes must be a non-empty table with the domain's columns; missing: {missing}")
    return codes


def marginal(codes: pd.DataFrame, domain: TableDomain, clique: Sequence[str]) -> np.ndarray:
    """The counts of every combination of ``clique``'s codes, flattened in C order (mbi's order)."""
    _check_codes(codes, domain)
    if isinstance(clique, str) or not clique or any(c not in domain.columns for c in clique):
        raise ValueError(f"clique must be a non-empty list of the domain's columns {list(domain.columns)}, "
                         f"got {clique!r}")
    shape = tuple(domain.size(c) for c in clique)
    flat = np.ravel_multi_index(tuple(codes[c].to_numpy() for c in clique), shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).astype(float)


def measure_marginals(codes: pd.DataFrame, domain: TableDomain, cliques: Sequence[Sequence[str]], rho: float | None,
                      rng: np.random.Generator | int | None = None) -> list[Measurement]:
    """Each clique's counts plus N(0, sigma^2), sigma = ``gaussian_sigma(rho, len(cliques))``; rho=None: no noise."""
    _check_codes(codes, domain)
    if isinstance(cliques, str) or not isinstance(cliques, Sequence) or not cliques:
        raise ValueError(f"cliques must be a non-empty list of column tuples, got {cliques!r}")
    sigma = 1.0 if rho is None else gaussian_sigma(rho, len(cliques))
    generator = as_rng(rng)
    out = []
    for clique in cliques:
        counts = marginal(codes, domain, clique)
        noise = 0.0 if rho is None else generator.normal(0.0, sigma, size=counts.size)
        out.append(Measurement(tuple(clique), counts + noise, sigma))
    return out


def exponential_mechanism(scores: np.ndarray, epsilon: float, sensitivity: float,
                          rng: np.random.Generator | int | None = None) -> int:
    """Index i with probability proportional to exp(epsilon * score_i / (2 * sensitivity)) (McSherry & Talwar 2007).

    Drawn by the Gumbel-max trick: argmax of score * epsilon / (2 sensitivity) + Gumbel noise.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or scores.size == 0 or not np.all(np.isfinite(scores)):
        raise ValueError(f"scores must be a non-empty 1-D array of finite numbers, got {scores!r}")
    epsilon = check_epsilon(epsilon)
    sensitivity = check_positive(sensitivity, "sensitivity")
    logits = epsilon * scores / (2.0 * sensitivity)
    return int(np.argmax(logits + as_rng(rng).gumbel(size=scores.size)))


def exponential_mechanism_rho(epsilon: float) -> float:
    """The zCDP cost epsilon^2 / 8 of one epsilon-exponential mechanism (Cesar & Rogers 2021, bounded range)."""
    return check_epsilon(epsilon) ** 2 / 8.0


def _independent_estimate(one_way: dict[str, np.ndarray], a: str, b: str) -> np.ndarray:
    """The 2-way counts an independent model predicts from noisy 1-way counts (clipped at 0, common total)."""
    total = np.mean([max(v.sum(), 1.0) for v in one_way.values()])
    pa, pb = (np.clip(one_way[c], 0, None) for c in (a, b))
    pa, pb = pa / max(pa.sum(), 1e-12), pb / max(pb.sum(), 1e-12)
    return total * np.outer(pa, pb).ravel()


def selection_scores(codes: pd.DataFrame, domain: TableDomain,
                     one_way: Sequence[Measurement]) -> dict[tuple[str, str], float]:
    """For every pair of columns: L1 distance between its true 2-way counts and the independent model's.

    Sensitivity 1: adding or removing a row moves one true count by 1; the estimate uses only noisy (already
    private) 1-way measurements, so it does not move.
    """
    _check_codes(codes, domain)
    noisy = {m.clique[0]: np.asarray(m.noisy_counts, dtype=float) for m in one_way if len(m.clique) == 1}
    if set(noisy) != set(domain.columns):
        raise ValueError(f"one_way must measure every column of the domain once, got {sorted(noisy)}")
    return {(a, b): float(np.abs(marginal(codes, domain, (a, b)) - _independent_estimate(noisy, a, b)).sum())
            for a, b in itertools.combinations(domain.columns, 2)}


def select_tree(scores: dict[tuple[str, str], float], columns: Sequence[str], rho: float | None,
                rng: np.random.Generator | int | None = None) -> list[tuple[str, str]]:
    """A spanning tree of ``columns`` by Kruskal's algorithm, each edge picked by the exponential mechanism.

    The d - 1 picks share rho: each is an epsilon-EM with epsilon = sqrt(8 rho / (d - 1)). rho=None: the exact
    maximum spanning tree (no privacy).
    """
    columns = list(columns)
    if len(columns) < 2 or len(set(columns)) != len(columns):
        raise ValueError(f"columns must hold at least two distinct names, got {columns!r}")
    if not isinstance(scores, dict) or set(scores) != set(itertools.combinations(columns, 2)):
        raise ValueError("scores must give one score for every pair (a, b) of columns, in column order")
    epsilon = None if rho is None else math.sqrt(8.0 * check_positive(rho, "rho") / (len(columns) - 1))
    generator = as_rng(rng)
    component = {column: column for column in columns}

    def root(column: str) -> str:
        while component[column] != column:
            column = component[column]
        return column

    edges: list[tuple[str, str]] = []
    while len(edges) < len(columns) - 1:
        candidates = [pair for pair in scores if root(pair[0]) != root(pair[1])]
        values = np.array([scores[pair] for pair in candidates])
        pick = int(np.argmax(values)) if epsilon is None else exponential_mechanism(values, epsilon, 1.0, generator)
        a, b = candidates[pick]
        component[root(a)] = root(b)
        edges.append((a, b))
    return edges


def _check_tree(edges: Sequence[tuple[str, str]], domain: TableDomain) -> list[tuple[str, str]]:
    edges = [tuple(edge) for edge in edges] if isinstance(edges, Sequence) and not isinstance(edges, str) else None
    columns = set(domain.columns)
    if edges is None or len(edges) != len(columns) - 1 or any(len(e) != 2 or not set(e) <= columns for e in edges):
        raise ValueError(f"edges must be {len(columns) - 1} pairs of the domain's columns forming a tree")
    component = {column: column for column in columns}

    def root(column: str) -> str:
        while component[column] != column:
            column = component[column]
        return column

    for a, b in edges:
        if root(a) == root(b):
            raise ValueError(f"edges must form a tree; ({a!r}, {b!r}) closes a cycle")
        component[root(a)] = root(b)
    return edges


@dataclass(frozen=True)
class MSTResult:
    """A fitted MST: the synthetic table (codes), its tree, the budget and the noise it used."""

    synthetic: pd.DataFrame
    epsilon: float | None
    delta: float | None
    rho: float | None
    edges: tuple[tuple[str, str], ...]
    sigma_one_way: float
    sigma_two_way: float
    measurements: tuple[Measurement, ...]


def fit_mst(table: pd.DataFrame, domain: TableDomain, epsilon: float | None, delta: float = 1e-6,
            n_rows: int | None = None, iters: int = 500, rng: np.random.Generator | int | None = None,
            edges: Sequence[tuple[str, str]] | None = None) -> MSTResult:
    """MST at (epsilon, delta): rho split in three equal parts (1-way, selection, 2-way), then Private-PGM.

    ``epsilon=None`` runs the same pipeline without noise (exact marginals, exact maximum spanning tree): a
    non-private generator that differs from MST only by the noise. ``n_rows`` defaults to the table's size.
    ``edges``: a tree fixed in advance (public, not chosen on this table); the selection step is skipped and its
    third of rho left unspent, so the stated (epsilon, delta) still holds (the lesson's attack uses it so that
    every fit shares one compiled model).
    """
    if epsilon is not None:
        epsilon = check_epsilon(epsilon)
        if check_delta(delta) == 0.0:
            raise ValueError("delta must be in (0, 1) for MST's zCDP guarantee, got 0.0")
    codes = encode(table, domain)
    n_rows = len(codes) if n_rows is None else check_positive_int(n_rows, "n_rows")
    iters = check_positive_int(iters, "iters")
    edges = None if edges is None else _check_tree(edges, domain)
    generator = as_rng(rng)
    rho = None if epsilon is None else rho_for_epsilon(epsilon, delta)
    part = None if rho is None else rho / 3.0
    one_way = measure_marginals(codes, domain, [(c,) for c in domain.columns], part, generator)
    if edges is None:
        edges = select_tree(selection_scores(codes, domain, one_way), domain.columns, part, generator)
    two_way = measure_marginals(codes, domain, edges, part, generator)
    model = estimate_model(one_way + two_way, domain, iters=iters)
    synthetic = sample_model(model, domain, n_rows, generator)
    return MSTResult(synthetic, epsilon, None if epsilon is None else delta, rho, tuple(edges), one_way[0].sigma,
                     two_way[0].sigma, tuple(one_way + two_way))
