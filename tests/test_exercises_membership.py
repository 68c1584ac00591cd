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


def _phi(p, clip=True):
    if clip:
        p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _lira(target_conf, shadow_conf, shadow_in, *, scale=_phi, ddof=1, pooled=False, per_example=True):
    """The reference answer of exercise 4, and its typical mistakes by keyword."""
    target, shadows = scale(target_conf), scale(shadow_conf)

    def log_density(mask):
        values = np.where(mask, shadows, np.nan)
        if per_example:
            mean, std = np.nanmean(values, axis=0), np.nanstd(values, axis=0, ddof=ddof)
        else:
            mean, std = np.nanmean(values), np.nanstd(values, ddof=ddof)
        if pooled:
            std = np.std(shadows, axis=0, ddof=ddof)
        return -0.5 * ((target - mean) / std) ** 2 - np.log(std)

    return log_density(shadow_in) - log_density(~shadow_in)


def test_lira_scores_feedback():
    assert ex.check_lira_scores(_lira).passed
    assert ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, scale=lambda p: -_phi(p))).passed  # log((1-p)/p)
    swapped = ex.check_lira_scores(lambda t, s, m: -_lira(t, s, m))
    assert not swapped.passed and "upside down" in swapped.message
    raw = ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, scale=lambda p: p))
    assert not raw.passed and "raw confidences" in raw.message
    pooled = ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, pooled=True))
    assert not pooled.passed and "pooled" in pooled.message
    global_gaussian = ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, per_example=False))
    assert not global_gaussian.passed and "all examples together" in global_gaussian.message
    biased = ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, ddof=0))
    assert not biased.passed and "ddof=1" in biased.message
    with np.errstate(all="ignore"):
        unclipped = ex.check_lira_scores(lambda t, s, m: _lira(t, s, m, scale=lambda p: _phi(p, clip=False)))
    assert not unclipped.passed and "Clip p" in unclipped.message


def test_lira_scores_package_variants():
    """The package's own variants get their names: global_variance=True is the pooled-std mistake here."""
    from ppml_lab.attacks.membership import _lira_online_scores

    target_conf, shadow_conf, shadow_in = ex._lira_case()
    obs = ex._lira_observations(_phi(target_conf), _phi(shadow_conf), shadow_in)
    per_example = _lira_online_scores(obs, global_variance=False)
    assert np.allclose(per_example, _lira(target_conf, shadow_conf, shadow_in))
    pooled = ex.check_lira_scores(lambda t, s, m: _lira_online_scores(ex._lira_observations(_phi(t), _phi(s), m),
                                                                      global_variance=True))
    assert not pooled.passed and "global_variance=True" in pooled.message


def test_lira_scores_stub_and_wrong_answers_give_feedback():
    def stub(target_conf, shadow_conf, shadow_in):
        raise NotImplementedError
    assert "NotImplementedError" in ex.check_lira_scores(stub).message
    assert "ZeroDivisionError" in ex.check_lira_scores(lambda t, s, m: 1 / 0).message
    assert "None" in ex.check_lira_scores(lambda t, s, m: None).message
    assert "array of numbers" in ex.check_lira_scores(lambda t, s, m: "scores").message
    assert "shape" in ex.check_lira_scores(lambda t, s, m: 0.0).message
    assert "shape" in ex.check_lira_scores(lambda t, s, m: _lira(t, s, m)[:-1]).message
    assert not ex.check_lira_scores(lambda t, s, m: np.zeros(len(t))).passed
    with np.errstate(all="ignore"):
        assert "likelihood ratio itself" in ex.check_lira_scores(lambda t, s, m: np.exp(_lira(t, s, m))).message
        assert "inf or NaN" in ex.check_lira_scores(lambda t, s, m: _lira(t, s, m) / 0).message


def test_lira_scores_inputs_are_not_shared_with_the_answer():
    """A student's function that modifies its inputs in place cannot change the reference."""
    def destructive(t, s, m):
        answer = _lira(t, s, m)
        s[:] = 0.5
        m[:] = True
        return answer
    assert ex.check_lira_scores(destructive).passed
