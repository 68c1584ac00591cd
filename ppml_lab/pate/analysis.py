"""PATE's privacy analysis: Renyi DP per query (both bounds), summed, converted to (epsilon, delta)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..accounting.pate import (
    rdp_gnmax_data_dependent,
    rdp_gnmax_data_independent,
    rdp_lnmax_data_dependent,
    rdp_lnmax_data_independent,
    rdp_threshold_data_dependent,
    rdp_threshold_data_independent,
)
from ..accounting.rdp import DEFAULT_ORDERS, check_orders, rdp_to_epsilon
from ..validation import (
    ParameterTypeError,
    check_delta,
    check_nonnegative,
    check_positive_int,
)
from .aggregators import Aggregation, _check_votes

__all__ = ["per_query_rdp", "PrivacyReport", "analyze_privacy", "cumulative_epsilon"]
def per_query_rdp(votes: np.ndarray, aggregation: Aggregation, orders: np.ndarray = DEFAULT_ORDERS,
                  data_dependent: bool = True) -> np.ndarray:
    """RDP spent by each query of ``aggregation``: array (n_queries, n_orders).

    GNMax/LNMax answers cost their per-answer bound; for Confident-GNMax every query pays for the
    threshold check and only answered ones pay for the GNMax step (Papernot et al. 2018, Sec. 4.2).
    """
    votes = _check_votes(votes)
    if not isinstance(aggregation, Aggregation):
        raise ParameterTypeError(f"aggregation must be an Aggregation, got {type(aggregation).__name__}")
    if len(votes) != aggregation.n_queries:
        raise ValueError(f"votes must have one row per query of the aggregation ({aggregation.n_queries}), "
                         f"got {len(votes)}")
    orders = check_orders(orders)
    sigma = aggregation.noise_scale
    answered = aggregation.answered.astype(float)[:, None]
    if not data_dependent:  # the same worst case for every query: no loop needed
        if aggregation.mechanism == "lnmax":
            return np.tile(rdp_lnmax_data_independent(sigma, orders), (len(votes), 1))
        rdp = answered * rdp_gnmax_data_independent(sigma, orders)[None, :]
        if aggregation.mechanism == "confident_gnmax":
            rdp = rdp + rdp_threshold_data_independent(aggregation.threshold_noise, orders)[None, :]
        return rdp
    rdp = np.zeros((len(votes), len(orders)))
    for i, row in enumerate(votes):
        if aggregation.mechanism == "lnmax":
            rdp[i] = rdp_lnmax_data_dependent(row, sigma, orders)
            continue
        if aggregation.mechanism == "confident_gnmax":
            rdp[i] = rdp_threshold_data_dependent(row, aggregation.threshold, aggregation.threshold_noise, orders)
        if aggregation.answered[i]:
            rdp[i] += rdp_gnmax_data_dependent(row, sigma, orders)
    return rdp


@dataclass
class PrivacyReport:
    """Epsilon of one PATE run at ``delta``, data-independent and data-dependent.

    The data-dependent epsilon is computed from the private votes, so it is itself sensitive:
    Papernot et al. 2018 (Sec. 4.3, App. C) publish it only after adding noise scaled to its
    smooth sensitivity (Nissim et al. 2007); the lab prints it raw, for teaching.
    """

    epsilon_data_independent: float
    epsilon_data_dependent: float
    delta: float
    n_queries: int
    n_answered: int
    mechanism: str
    order_data_independent: float
    order_data_dependent: float

    def __post_init__(self) -> None:
        for name in ("epsilon_data_independent", "epsilon_data_dependent"):
            setattr(self, name, check_nonnegative(getattr(self, name), name))
        self.delta = check_delta(self.delta)
        self.n_queries = check_positive_int(self.n_queries, "n_queries")
        self.n_answered = check_positive_int(self.n_answered, "n_answered", minimum=0)
        if self.n_answered > self.n_queries:
            raise ValueError(f"n_answered must be <= n_queries ({self.n_queries}), got {self.n_answered}")


def analyze_privacy(votes: np.ndarray, aggregation: Aggregation, delta: float = 1e-5,
                    orders: np.ndarray = DEFAULT_ORDERS) -> PrivacyReport:
    """Total (epsilon, delta) of ``aggregation`` on ``votes``: both bounds, composed over all queries.

    Data-independent: every answer costs its worst case (for GNMax, the Gaussian mechanism's
    alpha / sigma^2 per answer). Data-dependent (Papernot et al. 2018, Thm. 6 + Prop. 7): each answer
    costs according to how unlikely noise was to change it, estimated from the vote margins.

    Caveat (smooth sensitivity): the data-dependent epsilon depends on the private data, so releasing
    it leaks information. The paper releases a noisy version of it calibrated with smooth sensitivity
    (Papernot et al. 2018, Sec. 4.3 and App. C); this function returns the raw value, which is a
    correct statement about this run but is not itself differentially private to publish.
    """
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    orders = check_orders(orders)
    rdp_independent = per_query_rdp(votes, aggregation, orders, data_dependent=False).sum(0)
    rdp_dependent = per_query_rdp(votes, aggregation, orders, data_dependent=True).sum(0)
    eps_independent, order_independent = rdp_to_epsilon(rdp_independent, delta, orders)
    eps_dependent, order_dependent = rdp_to_epsilon(rdp_dependent, delta, orders)
    return PrivacyReport(eps_independent, eps_dependent, delta, aggregation.n_queries, aggregation.n_answered,
                         aggregation.mechanism, order_independent, order_dependent)


def cumulative_epsilon(votes: np.ndarray, aggregation: Aggregation, delta: float = 1e-5,
                       orders: np.ndarray = DEFAULT_ORDERS) -> pd.DataFrame:
    """Epsilon after each query (both bounds), for plotting privacy cost against queries answered."""
    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    rows = []
    for dependent in (False, True):
        totals = np.cumsum(per_query_rdp(votes, aggregation, orders, data_dependent=dependent), axis=0)
        rows.append([rdp_to_epsilon(total, delta, orders)[0] for total in totals])
    return pd.DataFrame({"queries": np.arange(1, len(rows[0]) + 1),
                         "answered": np.cumsum(aggregation.answered),
                         "data-independent": rows[0], "data-dependent": rows[1]})
