"""The differencing attack: two innocent-looking aggregate queries reveal one person's secret.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (Dinur & Nissim 2003 show the general
version: enough aggregate answers with too little noise reconstruct the whole table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..validation import check_nonempty

__all__ = ["DifferencingResult", "differencing_attack"]


@dataclass(frozen=True)
class DifferencingResult:
    """The two aggregate answers and what their difference says about the target."""

    count_everyone: float
    count_without_target: float

    @property
    def difference(self) -> float:
        return self.count_everyone - self.count_without_target

    @property
    def inferred(self) -> bool:
        """The attacker's guess: the target has the attribute if the difference rounds to >= 1."""
        return bool(np.rint(self.difference) >= 1)


def differencing_attack(
    table: pd.DataFrame,
    has_attribute: pd.Series,
    is_target: pd.Series,
    answer: Callable[[pd.Series], float] | None = None,
) -> DifferencingResult:
    """Ask "how many have the attribute?" and "how many, excluding people like the target?".

    ``is_target`` selects the target by quasi-identifiers the attacker knows (e.g. ZIP, birth
    date, sex); ``answer`` turns a boolean mask into a released count (exact by default, or a
    private mechanism to show the attack failing).
    """
    check_nonempty(table, "table")
    answer = answer or (lambda mask: float(mask.sum()))
    return DifferencingResult(answer(has_attribute), answer(has_attribute & ~is_target))
