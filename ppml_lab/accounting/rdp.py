"""Rényi DP: the subsampled Gaussian's RDP and the one conversion of RDP to (epsilon, delta) in the lab.

Both call Opacus's analysis (``opacus.accountants.analysis.rdp``: Mironov et al. 2019 for the
subsampled Gaussian, Balle et al. 2020, Thm. 21 for the conversion), so that DP-SGD, DP-FedAvg and
PATE epsilons are computed the same way.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..validation import check_array, check_delta, check_nonnegative, check_probability

__all__ = ["DEFAULT_ORDERS", "OPACUS_ORDERS", "check_orders", "subsampled_gaussian_rdp", "rdp_to_epsilon"]

#: The lab's Rényi orders (PATE's bounds use them): fine near 1 (strong noise), up to 500 (the
#: data-dependent bound of a confident PATE ensemble is best at high orders, as in the reference code).
DEFAULT_ORDERS = np.concatenate([np.linspace(1.05, 2.0, 20)[:-1], np.arange(2.0, 100.5, 0.5),
                                 np.geomspace(100.0, 500.0, 30)[1:]])
#: Opacus's ``RDPAccountant.DEFAULT_ALPHAS`` (1.1 to 10.9, then 12 to 63), used for DP-FedAvg as Opacus would.
OPACUS_ORDERS = np.array([1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)), dtype=float)


def check_orders(orders: np.ndarray) -> np.ndarray:
    """Rényi orders as a finite 1-D float array, every order > 1 (else ``ValueError`` naming ``orders``)."""
    orders = check_array(orders, "orders", ndim=1)
    if orders.min() <= 1:
        raise ValueError(f"orders must be Renyi orders > 1, got a minimum of {orders.min()!r}")
    return orders


def subsampled_gaussian_rdp(noise_multiplier: float, sample_rate: float,
                            orders: np.ndarray = OPACUS_ORDERS) -> np.ndarray:
    """RDP of one Poisson-subsampled Gaussian step at ``orders`` (Mironov et al. 2019); t steps cost t times it."""
    from opacus.accountants.analysis.rdp import compute_rdp

    noise_multiplier = check_nonnegative(noise_multiplier, "noise_multiplier")
    sample_rate = check_probability(sample_rate, "sample_rate", open_low=True)
    orders = check_orders(orders)
    return np.asarray(compute_rdp(q=sample_rate, noise_multiplier=noise_multiplier, steps=1, orders=orders.tolist()))


def rdp_to_epsilon(rdp: np.ndarray, delta: float, orders: np.ndarray = DEFAULT_ORDERS) -> tuple[float, float]:
    """(epsilon, best order) from a total RDP curve, with Opacus's conversion (Balle et al. 2020, Thm. 21)."""
    from opacus.accountants.analysis.rdp import get_privacy_spent

    delta = check_delta(delta)
    if delta == 0.0:
        raise ValueError("delta must be in (0, 1) to convert RDP to (epsilon, delta), got 0.0")
    orders = check_orders(orders)
    rdp = check_array(rdp, "rdp", ndim=1)
    if rdp.shape != orders.shape or rdp.min() < 0:
        raise ValueError(f"rdp must hold one non-negative value per order ({len(orders)}), got shape {rdp.shape}")
    with warnings.catch_warnings():  # an optimum at the end of the order grid is still a valid bound
        warnings.simplefilter("ignore", UserWarning)
        epsilon, order = get_privacy_spent(orders=np.asarray(orders, dtype=float), rdp=np.asarray(rdp, dtype=float),
                                           delta=delta)
    return float(epsilon), float(order)
