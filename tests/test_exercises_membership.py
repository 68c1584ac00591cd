import numpy as np

from ppml_lab.attacks.membership import example_loss
from ppml_lab.attacks.metrics import tpr_at_fpr
from ppml_lab.exercises import membership as ex


def test_loss_scores_feedback():
    assert ex.check_loss_scores(lambda logits, labels: -example_loss(logits, labels)).passed
    wrong_sign = ex.check_loss_scores(lambda logits, labels: example_loss(logits, labels))
    assert not wrong_sign.passed and "flip the sign" in wrong_sign.message
    assert "None" in ex.check_loss_scores(lambda logits, labels: None).message
    def unfinished(logits, labels):
        raise NotImplementedError
    assert "NotImplementedError" in ex.check_loss_scores(unfinished).message


def test_tpr_at_fpr_feedback():
    assert ex.check_tpr_at_fpr(tpr_at_fpr).passed
    returns_fpr = ex.check_tpr_at_fpr(lambda scores, is_member, fpr: fpr)
    assert not returns_fpr.passed and "you returned the FPR" in returns_fpr.message
    too_lenient = ex.check_tpr_at_fpr(lambda s, m, fpr: tpr_at_fpr(s, m, min(1.0, 2 * fpr)))
    assert not too_lenient.passed and "lets more than" in too_lenient.message


def test_epsilon_from_rates_feedback():
    def right(fpr, fnr, delta):
        return max(0.0, np.log((1 - delta - fnr) / fpr), np.log((1 - delta - fpr) / fnr))
    assert ex.check_epsilon_from_rates(right).passed
    no_delta = ex.check_epsilon_from_rates(lambda fpr, fnr, delta: max(0.0, np.log((1 - fnr) / fpr),
                                                                        np.log((1 - fpr) / fnr)))
    assert not no_delta.passed and "forgot delta" in no_delta.message
    one_side = ex.check_epsilon_from_rates(lambda fpr, fnr, delta: max(0.0, np.log((1 - delta - fnr) / fpr)))
    assert not one_side.passed and "mirror-image" in one_side.message
    negative = ex.check_epsilon_from_rates(lambda fpr, fnr, delta: np.log((1 - delta - fnr) / fpr)
                                           if fpr < 0.5 else -1.0)
    assert not negative.passed
