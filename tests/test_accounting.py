import math

import pytest

from ppml_lab.accounting import BudgetExceededError, PrivacyLedger, advanced_composition, basic_composition


def test_basic_composition_adds():
    assert basic_composition([0.1, 0.2, 0.3], [1e-6, 0, 1e-6]) == pytest.approx((0.6, 2e-6))


def test_advanced_composition_matches_textbook_formula_for_equal_epsilons():
    k, eps, delta_prime = 100, 0.1, 1e-6
    expected = math.sqrt(2 * k * math.log(1 / delta_prime)) * eps + k * eps * (math.exp(eps) - 1)
    total, delta = advanced_composition([eps] * k, None, delta_prime)
    assert total == pytest.approx(expected)
    assert delta == pytest.approx(delta_prime)
    assert total < k * eps  # many small queries: advanced beats basic ...
    assert advanced_composition([1.0], None, delta_prime)[0] > 1.0  # ... a single large one: it does not


def test_ledger_spends_and_reports_history():
    ledger = PrivacyLedger(epsilon_budget=1.0)
    ledger.spend("count diabetes", 0.25)
    ledger.spend("mean age", 0.5)
    history = ledger.history()
    assert list(history["query"]) == ["count diabetes", "mean age"]
    assert list(history["cumulative_epsilon"]) == pytest.approx([0.25, 0.75])
    assert ledger.remaining_epsilon == pytest.approx(0.25)


def test_ledger_refuses_overspend_and_stays_unchanged():
    ledger = PrivacyLedger(epsilon_budget=1.0, delta_budget=1e-5)
    ledger.spend("q1", 0.8)
    before = ledger.history().copy()
    with pytest.raises(BudgetExceededError, match="over the budget.*nothing was spent"):
        ledger.spend("q2", 0.3)
    with pytest.raises(BudgetExceededError):
        ledger.spend("q3", 0.1, delta=2e-5)
    assert ledger.history().equals(before)
    assert ledger.spent == pytest.approx((0.8, 0.0))
    ledger.spend("q4", 0.2)  # exactly up to the budget is allowed
    assert ledger.spent_epsilon == pytest.approx(1.0)


def test_advanced_ledger_allows_more_small_queries_than_basic():
    basic = PrivacyLedger(epsilon_budget=3.0, delta_budget=1e-5)
    advanced = PrivacyLedger(epsilon_budget=3.0, delta_budget=1e-5, composition="advanced", delta_prime=1e-6)

    def answered(ledger):
        n = 0
        while ledger.can_spend(0.01):
            ledger.spend(f"q{n}", 0.01)
            n += 1
        return n

    assert answered(basic) == 300
    assert answered(advanced) > 2 * 300


def test_budget_cannot_shrink_below_spent():
    ledger = PrivacyLedger(epsilon_budget=2.0)
    ledger.spend("q", 1.5)
    with pytest.raises(ValueError, match=r"epsilon_budget must be >= the epsilon already spent \(1.5\), got 1.0"):
        ledger.set_budget(1.0)
    ledger.set_budget(3.0)
    assert ledger.epsilon_budget == 3.0


@pytest.mark.parametrize("kwargs, message", [
    ({"epsilon_budget": 0}, "epsilon_budget must be a finite number > 0"),
    ({"epsilon_budget": -1}, "epsilon_budget must be a finite number > 0"),
    ({"epsilon_budget": 1, "delta_budget": 1}, r"delta_budget must be in \[0, 1\)"),
    ({"epsilon_budget": 1, "composition": "fancy"},
     r"composition must be one of \['advanced', 'basic'\]"),
    ({"epsilon_budget": 1, "delta_budget": 1e-6, "composition": "advanced", "delta_prime": 1e-5},
     "delta_prime must be in"),
])
def test_bad_ledger_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PrivacyLedger(**kwargs)


def test_bad_spend_arguments_leave_ledger_unchanged():
    ledger = PrivacyLedger(epsilon_budget=1.0)
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0, got -0.1"):
        ledger.spend("q", -0.1)
    with pytest.raises(ValueError, match=r"delta must be in \[0, 1\), got 1"):
        ledger.spend("q", 0.1, delta=1)
    assert ledger.history().empty


def test_advanced_ledger_reports_the_tighter_bound():
    # A few large spends: advanced composition alone would say sqrt(2 ln(1e6) (0.5^2 + 0.3^2)) + ... ~ 3.2,
    # and refuse what basic composition allows; the ledger reports basic composition's 0.8 instead.
    ledger = PrivacyLedger(1.0, 1e-5, composition="advanced", delta_prime=1e-6)
    assert advanced_composition([0.5, 0.3], None, 1e-6)[0] > 3.0
    ledger.spend("count", 0.5)
    ledger.spend("mean", 0.3)
    assert ledger.spent == pytest.approx((0.8, 0.0)) and ledger.spent_bound == "basic"
    assert list(ledger.history()["bound"]) == ["basic", "basic"]
    # Many small spends: advanced composition is tighter, and its delta' is counted.
    small = PrivacyLedger(1.0, 1e-5, composition="advanced", delta_prime=1e-6)
    for i in range(150):
        small.spend(f"q{i}", 0.01)
    eps_adv, delta_adv = advanced_composition([0.01] * 150, None, 1e-6)
    assert small.spent == pytest.approx((eps_adv, delta_adv)) and small.spent_bound == "advanced"
    assert eps_adv < 1.5 and delta_adv == pytest.approx(1e-6)
    history = small.history()
    assert history["bound"].iloc[0] == "basic" and history["bound"].iloc[-1] == "advanced"
    assert (history["cumulative_epsilon"] <= history["epsilon"].cumsum() + 1e-12).all()  # never worse than basic


def test_advanced_ledger_never_refuses_what_basic_allows():
    for spends in ([0.5, 0.5], [0.9, 0.1], [0.2] * 5, [0.01] * 100):
        basic = PrivacyLedger(1.0, 1e-5)
        advanced = PrivacyLedger(1.0, 1e-5, composition="advanced", delta_prime=1e-6)
        for i, eps in enumerate(spends):
            basic.spend(f"q{i}", eps)
            advanced.spend(f"q{i}", eps)  # would raise BudgetExceededError if only the advanced bound were used
        assert advanced.spent_epsilon <= basic.spent_epsilon + 1e-12


def test_advanced_bound_is_used_only_when_its_delta_fits():
    # The deltas already spent leave no room for delta': only basic composition fits the delta budget.
    ledger = PrivacyLedger(10.0, 1e-5, composition="advanced", delta_prime=1e-6)
    for i in range(200):
        ledger.spend(f"q{i}", 0.01, delta=5e-8)  # sum of deltas = 1e-5 exactly
    assert ledger.spent_bound == "basic"
    assert ledger.spent == pytest.approx((2.0, 1e-5))
