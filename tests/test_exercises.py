"""Each check accepts the right answer and explains the typical wrong ones."""

import math

from ppml_lab.exercises import Feedback, call_safely
from ppml_lab.exercises import laplace as ex


def test_feedback_renders_pass_and_fail():
    assert "Correct" in repr(Feedback(True, "ok")) and "Not yet" in repr(Feedback(False, "no"))
    assert "&lt;b&gt;" in Feedback(False, "<b>")._repr_html_()  # student text is escaped


def test_call_safely_turns_errors_into_feedback():
    def unfinished(*_):
        raise NotImplementedError

    _, problem = call_safely(unfinished)
    assert problem is not None and "NotImplementedError" in problem.message
    _, problem = call_safely(lambda: 1 / 0)
    assert "ZeroDivisionError" in problem.message


def test_mean_query_scale():
    assert ex.check_mean_query_scale(0.05, 0.1).passed
    assert "sum" in ex.check_mean_query_scale(100, 200).message
    assert "count" in ex.check_mean_query_scale(1, 2).message
    assert "multiplied by epsilon" in ex.check_mean_query_scale(0.05, 0.025).message
    assert not ex.check_mean_query_scale(None, None).passed


def test_rr_estimator():
    def right(responses, epsilon):
        p = math.exp(epsilon) / (1 + math.exp(epsilon))
        return (responses.mean() - (1 - p)) / (2 * p - 1)

    assert ex.check_rr_estimator(right).passed
    assert "raw fraction" in ex.check_rr_estimator(lambda r, e: r.mean()).message
    assert "None" in ex.check_rr_estimator(lambda r, e: None).message

    def unfinished(responses, epsilon):
        raise NotImplementedError

    assert "NotImplementedError" in ex.check_rr_estimator(unfinished).message
    assert "truth probability" in ex.check_rr_estimator(lambda r, e: right(r, 2 * e)).message


def test_queries_answered():
    from ppml_lab.accounting import PrivacyLedger

    ledger = PrivacyLedger(1.0, 1e-5, composition="advanced", delta_prime=1e-6)
    n = 0
    while ledger.can_spend(0.01):
        ledger.spend("q", 0.01)
        n += 1
    assert ex.check_queries_answered(n).passed
    assert "basic" in ex.check_queries_answered(100).message
    assert not ex.check_queries_answered(n + 1).passed
