"""Checks for the exercises of ``notebooks/11_capstone.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..accounting import PrivacyLedger
from ..validation import ParameterTypeError, check_finite
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_split_budget", "check_best_defence", "best_defence_reference"]


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


def _budget_cases(seed: int = 11) -> list[tuple[float, dict[str, float]]]:
    rng = np.random.default_rng(seed)
    stages = ["count release", "DP-SGD model", "synthetic table", "audit queries"]
    cases = []
    for size in (2, 3, 4):
        weights = {name: float(w) for name, w in zip(stages[:size], rng.integers(1, 6, size))}
        cases.append((float(np.round(rng.uniform(1.0, 10.0), 2)), weights))
    return cases


def check_split_budget(function: Callable[[float, dict[str, float]], PrivacyLedger] | None) -> Feedback:
    """Exercise 1: spend one total epsilon across stages in proportion to weights, through a PrivacyLedger."""
    if function is None:
        return not_yet("define `split_budget(total_epsilon, weights)` and pass it to the check.")
    _check_callable(function, "function")
    for total, weights in _budget_cases():
        ledger, problem = call_safely(function, total, dict(weights))
        if problem is not None:
            if "BudgetExceeded" in problem.message or "would bring the total" in problem.message:
                return not_yet("the ledger refused a spend: the shares add up to more than the budget. Divide each "
                               "weight by the sum of the weights before multiplying by the total.")
            return problem
        if not isinstance(ledger, PrivacyLedger):
            return not_yet(f"return the lab.PrivacyLedger you spent on, got {type(ledger).__name__}.")
        history = ledger.history()
        if set(history["query"]) != set(weights) or len(history) != len(weights):
            return not_yet(f"spend once per stage, named by the stage: expected {sorted(weights)}, "
                           f"got {history['query'].tolist()}.")
        if not math.isclose(ledger.epsilon_budget, total, rel_tol=1e-9):
            return not_yet(f"the ledger's budget must be the total, {total:g}; got {ledger.epsilon_budget:g}.")
        spent = dict(zip(history["query"], history["epsilon"]))
        expected = {name: total * w / sum(weights.values()) for name, w in weights.items()}
        equal = total / len(weights)
        if all(math.isclose(spent[n], expected[n], rel_tol=1e-6) for n in weights):
            continue
        if all(math.isclose(spent[n], equal, rel_tol=1e-6) for n in weights):
            return not_yet("every stage got the same share: weigh each stage's share by its weight.")
        if sum(spent.values()) < total * (1 - 1e-6):
            return not_yet(f"budget is left unspent ({total - sum(spent.values()):.3g} of {total:g}): the shares "
                           "must add up to the whole total.")
        return not_yet("the shares are off: stage s gets total * weight[s] / sum(weights).")
    return correct("basic composition: the epsilons of the stages add up, so a fixed total is a budget to divide, "
                   "and a ledger that refuses the overspending query keeps you honest.")


def best_defence_reference(table: pd.DataFrame, threat: str, min_utility: float) -> str:
    """The technique that addresses ``threat`` with the lowest attack success after it, among those keeping
    ``utility ×`` at or above ``min_utility`` (the exercise's reference answer)."""
    needed = {"technique", "threat", "utility ×", "attack after"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise ParameterTypeError(f"table must be a measured table with columns {sorted(needed)}, "
                                 f"got {type(table).__name__}")
    if not isinstance(threat, str):
        raise ParameterTypeError(f"threat must be a str (a value of the 'threat' column), got {threat!r}")
    min_utility = check_finite(min_utility, "min_utility")
    rows = table[(table["threat"] == threat) & (table["utility ×"] >= min_utility)]
    if rows.empty:
        raise ValueError(f"no technique addresses threat {threat!r} with utility × >= {min_utility:g}")
    return str(rows.sort_values(["attack after", "technique"]).iloc[0]["technique"])


def _random_table(rng: np.random.Generator) -> pd.DataFrame:
    threats = ["membership inference", "server reads updates"]
    names = [f"technique {c}" for c in "ABCDEF"]
    return pd.DataFrame({"technique": names, "threat": rng.choice(threats, len(names)),
                         "utility ×": np.round(rng.uniform(0.6, 1.05, len(names)), 3),
                         "attack before": np.round(rng.uniform(0.6, 1.0, len(names)), 3),
                         "attack after": np.round(rng.uniform(0.0, 0.6, len(names)), 3)})


def check_best_defence(function: Callable[[pd.DataFrame, str, float], str] | None,
                       table: pd.DataFrame | None = None) -> Feedback:
    """Exercise 2: pick the technique for a threat from a measured table (the capstone's, then random ones)."""
    if function is None:
        return not_yet("define `best_defence(table, threat, min_utility)` and pass it to the check.")
    _check_callable(function, "function")
    if table is not None and not isinstance(table, pd.DataFrame):
        raise ParameterTypeError(f"table must be the capstone's measured table or None, got {type(table).__name__}")
    rng = np.random.default_rng(7)
    cases = [] if table is None else [(table.iloc[1:], str(table["threat"].iloc[1]), 0.9)]  # without the baseline
    for _ in range(6):
        random_table = _random_table(rng)
        threat = str(random_table["threat"].iloc[0])
        cases.append((random_table, threat, float(random_table["utility ×"].median())))
    for case_table, threat, min_utility in cases:
        try:
            expected = best_defence_reference(case_table, threat, min_utility)
        except ValueError:
            continue
        answer, problem = call_safely(function, case_table.copy(), threat, min_utility)
        if problem is not None:
            return problem
        if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool):
            return not_yet("return the technique's name (the 'technique' column), not its row number.")
        if not isinstance(answer, str):
            return not_yet(f"return the technique's name as a string, got {type(answer).__name__}.")
        if answer == expected:
            continue
        same_threat = case_table[case_table["threat"] == threat]
        by_after = same_threat.sort_values(["attack after", "technique"]).iloc[0]["technique"]
        by_before = same_threat.sort_values(["attack before", "technique"]).iloc[0]["technique"]
        if answer == by_after:
            return not_yet("that technique stops the attack best but costs too much utility: keep only rows with "
                           "utility × at least min_utility.")
        if answer == by_before:
            return not_yet("you compared the attack's success *before* the technique; the protection it buys is "
                           "what is left *after* it.")
        if answer not in set(same_threat["technique"]):
            return not_yet(f"{answer!r} does not address the threat {threat!r}: filter the rows by the threat first.")
        return not_yet("not the one: among rows for this threat with enough utility, take the lowest 'attack after'.")
    return correct("the measured table, not a rule of thumb, says which technique buys the most protection for "
                   "the utility you can afford.")


