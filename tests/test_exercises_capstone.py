"""Lesson 11's exercise checks: the reference passes, each named mistake gets its message, nothing raises."""

from __future__ import annotations

import pandas as pd

import ppml_lab as lab
from ppml_lab.exercises import capstone as ex


def split_budget(total_epsilon, weights):
    ledger = lab.PrivacyLedger(total_epsilon)
    total_weight = sum(weights.values())
    for stage, weight in weights.items():
        ledger.spend(stage, total_epsilon * weight / total_weight)
    return ledger


def test_split_budget_reference_passes():
    assert ex.check_split_budget(split_budget).passed


def test_split_budget_names_the_mistakes():
    def unnormalised(total, weights):
        ledger = lab.PrivacyLedger(total)
        for stage, weight in weights.items():
            ledger.spend(stage, total * weight)
        return ledger

    def equal(total, weights):
        ledger = lab.PrivacyLedger(total)
        for stage in weights:
            ledger.spend(stage, total / len(weights))
        return ledger

    def half(total, weights):
        ledger = lab.PrivacyLedger(total)
        for stage, weight in weights.items():
            ledger.spend(stage, total / 2 * weight / sum(weights.values()))
        return ledger

    assert "Divide each weight" in ex.check_split_budget(unnormalised).message
    assert "same share" in ex.check_split_budget(equal).message
    assert "unspent" in ex.check_split_budget(half).message


def test_split_budget_stub_wrong_type_and_errors_give_feedback():
    def stub(total, weights):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_split_budget(stub).message
    assert not ex.check_split_budget(lambda total, weights: 3.0).passed
    assert not ex.check_split_budget(lambda total, weights: 1 / 0).passed
    assert not ex.check_split_budget(None).passed


def best_defence(table, threat, min_utility):
    rows = table[(table["threat"] == threat) & (table["utility ×"] >= min_utility)]
    return rows.sort_values(["attack after", "technique"]).iloc[0]["technique"]


TABLE = pd.DataFrame({"technique": ["baseline", "strong", "weak", "other"],
                      "threat": ["t", "t", "t", "u"], "utility ×": [1.0, 0.95, 0.99, 1.0],
                      "attack before": [0.5, 0.5, 0.5, 0.9], "attack after": [0.5, 0.1, 0.3, 0.0]})


def test_best_defence_reference_passes_on_random_tables_and_a_given_one():
    assert ex.check_best_defence(best_defence).passed
    assert ex.check_best_defence(best_defence, TABLE).passed
    assert ex.best_defence_reference(TABLE, "t", 0.9) == "strong"


def test_best_defence_names_the_mistakes():
    def ignores_utility(table, threat, min_utility):
        return table[table["threat"] == threat].sort_values(["attack after", "technique"]).iloc[0]["technique"]

    def by_before(table, threat, min_utility):
        return table[table["threat"] == threat].sort_values(["attack before", "technique"]).iloc[0]["technique"]

    def ignores_threat(table, threat, min_utility):
        rows = table[table["utility ×"] >= min_utility]
        return rows.sort_values(["attack after", "technique"]).iloc[0]["technique"]

    def row_number(table, threat, min_utility):
        rows = table[(table["threat"] == threat) & (table["utility ×"] >= min_utility)]
        return int(rows.sort_values("attack after").index[0])

    assert "min_utility" in ex.check_best_defence(ignores_utility).message
    assert "before" in ex.check_best_defence(by_before).message
    assert "filter the rows by the threat" in ex.check_best_defence(ignores_threat).message
    assert "not its row number" in ex.check_best_defence(row_number).message


def test_best_defence_stub_and_errors_give_feedback():
    def stub(table, threat, min_utility):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_best_defence(stub).message
    assert not ex.check_best_defence(lambda t, th, m: None).passed
    assert not ex.check_best_defence(lambda t, th, m: t.loc[99]).passed
    assert not ex.check_best_defence(None).passed
