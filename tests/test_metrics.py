import math

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from ppml_lab.attacks.metrics import (
    attack_metrics,
    auc_confidence_interval,
    balanced_accuracy,
    best_threshold,
    clopper_pearson,
    dp_roc_bound,
    metrics_table,
    roc_auc,
    roc_curve,
    tpr_at_fpr,
)


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    is_member = rng.random(500) < 0.4
    scores = np.round(rng.normal(is_member * 0.8, 1.0), 1)  # rounding creates ties
    return scores, is_member


def test_roc_curve_matches_sklearn(scored):
    scores, is_member = scored
    fpr, tpr, thresholds = roc_curve(scores, is_member)
    ref_fpr, ref_tpr, ref_thresholds = skm.roc_curve(is_member, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, ref_fpr)
    np.testing.assert_allclose(tpr, ref_tpr)
    np.testing.assert_allclose(thresholds[1:], ref_thresholds[1:])


def test_auc_and_balanced_accuracy_match_sklearn(scored):
    scores, is_member = scored
    assert roc_auc(scores, is_member) == pytest.approx(skm.roc_auc_score(is_member, scores), abs=1e-12)
    predictions = scores > 0.3
    assert balanced_accuracy(predictions, is_member) == pytest.approx(
        skm.balanced_accuracy_score(is_member, predictions))


def test_tpr_at_fpr_on_a_hand_example():
    scores = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    is_member = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    assert tpr_at_fpr(scores, is_member, 0.0) == pytest.approx(0.5)       # 2 of 4 members before any mistake
    assert tpr_at_fpr(scores, is_member, 1 / 6) == pytest.approx(0.75)   # one false positive allowed
    assert tpr_at_fpr(scores, is_member, 1.0) == 1.0


def test_best_threshold_separates_separable_scores():
    is_member = np.array([True] * 5 + [False] * 5)
    scores = np.r_[np.linspace(2, 3, 5), np.linspace(0, 1, 5)]
    threshold = best_threshold(scores, is_member)
    assert balanced_accuracy(scores >= threshold, is_member) == 1.0


@pytest.mark.parametrize("successes,trials", [(0, 10), (3, 10), (10, 10), (17, 1000)])
def test_clopper_pearson_matches_scipy_exact_interval(successes, trials):
    ref = stats.binomtest(successes, trials).proportion_ci(confidence_level=0.9, method="exact")
    low, high = clopper_pearson(successes, trials, 0.9)
    assert (low, high) == pytest.approx((ref.low, ref.high), abs=1e-9)


def test_clopper_pearson_covers_the_true_rate_at_least_as_often_as_promised():
    rng = np.random.default_rng(1)
    hits = [clopper_pearson(int(k), 50, 0.9) for k in rng.binomial(50, 0.03, size=400)]
    coverage = np.mean([low <= 0.03 <= high for low, high in hits])
    assert coverage >= 0.9  # exact intervals are conservative


def test_auc_interval_contains_the_auc_and_shrinks_with_more_data():
    narrow = auc_confidence_interval(0.7, 1000, 1000)
    wide = auc_confidence_interval(0.7, 50, 50)
    assert wide[0] < narrow[0] < 0.7 < narrow[1] < wide[1]


def test_dp_roc_bound():
    fpr = np.logspace(-4, 0, 50)
    assert dp_roc_bound(fpr, 0.0) == pytest.approx(fpr)  # epsilon = 0: no attack beats guessing
    bound = dp_roc_bound(fpr, 1.0, 1e-5)
    assert bound[0] == pytest.approx(math.e * 1e-4 + 1e-5)
    assert np.all(np.diff(bound) >= 0) and bound[-1] == 1.0
    assert np.all(bound <= 1 - math.exp(-1.0) * (1 - 1e-5 - fpr) + 1e-12)
    with pytest.raises(ValueError, match="epsilon"):
        dp_roc_bound(fpr, -1.0)


def test_attack_metrics_on_a_perfect_and_a_useless_attack(scored):
    _, is_member = scored
    perfect = attack_metrics(is_member.astype(float), is_member)
    assert perfect.auc == 1.0 and perfect.balanced_accuracy == 1.0 and perfect.tpr_at_01pct_fpr == 1.0
    useless = attack_metrics(np.zeros(len(is_member)), is_member)
    assert useless.auc == 0.5 and useless.tpr_at_1pct_fpr == 0.0
    assert useless.tpr_at_1pct_fpr_ci[0] == 0.0 < useless.tpr_at_1pct_fpr_ci[1] < 0.03
    table = metrics_table({"perfect": perfect, "useless": useless})
    assert list(table.index) == ["perfect", "useless"] and table.loc["perfect", "AUC"] == 1.0


def test_inputs_are_checked_before_work():
    with pytest.raises(ValueError, match="same length"):
        roc_curve(np.zeros(3), np.array([True, False]))
    with pytest.raises(ValueError, match="both members and non-members"):
        roc_auc(np.zeros(3), np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="successes"):
        clopper_pearson(11, 10)
    with pytest.raises(ValueError, match="confidence"):
        clopper_pearson(1, 10, 1.5)
    with pytest.raises(ValueError, match="fpr"):
        tpr_at_fpr(np.zeros(2), np.array([True, False]), 2.0)
