"""Privacy accounting, in one place: composition and the ledger (lesson 01), Opacus's accountants for the
subsampled Gaussian (DP-SGD, DP-FedAvg), the one RDP-to-(epsilon, delta) conversion, and PATE's RDP bounds.

Laid out as Opacus keeps ``accountants/`` and ``accountants/analysis/``:

- :mod:`.composition`: basic and advanced composition (Dwork et al. 2006, 2010);
- :mod:`.ledger`: :class:`PrivacyLedger`, which refuses to overspend and reports the tighter bound;
- :mod:`.calibration`: epsilon spent and sigma for a target, with Opacus's PRV/RDP accountants (memoised);
- :mod:`.rdp`: the subsampled Gaussian's RDP and :func:`rdp_to_epsilon`;
- :mod:`.pate`: GNMax, LNMax and the threshold check's data-independent and data-dependent RDP
  (Papernot et al. 2018).
"""

from __future__ import annotations

from .calibration import ACCOUNTANTS, epsilon_spent, noise_multiplier_for
from .composition import advanced_composition, basic_composition
from .ledger import BudgetExceededError, PrivacyLedger
from .rdp import DEFAULT_ORDERS, OPACUS_ORDERS, check_orders, rdp_to_epsilon, subsampled_gaussian_rdp

__all__ = [
    "basic_composition", "advanced_composition", "BudgetExceededError", "PrivacyLedger",
    "ACCOUNTANTS", "noise_multiplier_for", "epsilon_spent",
    "DEFAULT_ORDERS", "OPACUS_ORDERS", "check_orders", "subsampled_gaussian_rdp", "rdp_to_epsilon",
]
