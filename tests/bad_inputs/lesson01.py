"""Bad inputs for lesson 01: mechanisms, queries, accounting, OpenDP mechanisms, the differencing and
floating-point attacks, and the lesson's exercise checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bad_inputs import INF, NAN, Bad, exempt, numbers
from ppml_lab import accounting, mechanisms, opendp_mechanisms, queries
from ppml_lab.attacks import differencing, floating_point
from ppml_lab.exercises import laplace as ex

TABLE_ROWS = pd.DataFrame({"zip": ["1", "1", "2"]})
HAS = pd.Series([True, False, True])
TARGET = pd.Series([False, False, True])
LEDGER = accounting.PrivacyLedger(1.0, 1e-5, composition="advanced", delta_prime=1e-6)
LEDGER.spend("first query", 0.25)


def _ledger_state():
    return LEDGER.history().to_dict(), LEDGER.epsilon_budget, LEDGER.delta_budget


def _textbook(x):
    return mechanisms.laplace_mechanism(x, 1.0, 0.5, rng=0)


def _answers(param, make):
    """Bad true answers: NaN, inf, a string, None, an empty array, an array holding NaN."""
    return [*numbers(param, make, allow_zero=True, allow_negative=True),
            Bad(param, lambda: make([]), "empty"), Bad(param, lambda: make([1.0, NAN]), "NaN entry")]


TABLE = {
    # mechanisms
    "ppml_lab.mechanisms.laplace_scale": [*numbers("sensitivity", lambda v: mechanisms.laplace_scale(v, 1.0)),
                                          *numbers("epsilon", lambda v: mechanisms.laplace_scale(1.0, v))],
    "ppml_lab.mechanisms.sample_laplace_inverse_cdf": [
        *numbers("scale", lambda v: mechanisms.sample_laplace_inverse_cdf(v, 3, np.random.default_rng(0))),
        Bad("size", lambda: mechanisms.sample_laplace_inverse_cdf(1.0, 0, np.random.default_rng(0)), "zero"),
        Bad("size", lambda: mechanisms.sample_laplace_inverse_cdf(1.0, 2.5, np.random.default_rng(0)), "float"),
        Bad("size", lambda: mechanisms.sample_laplace_inverse_cdf(1.0, (2, -1), np.random.default_rng(0)), "negative"),
        Bad("rng", lambda: mechanisms.sample_laplace_inverse_cdf(1.0, 3, 5), "a seed, not a Generator")],
    "ppml_lab.mechanisms.laplace_mechanism": [
        *_answers("true_answer", lambda v: mechanisms.laplace_mechanism(v, 1.0, 1.0, rng=0)),
        Bad("true_answer", lambda: mechanisms.laplace_mechanism("x", 1.0, 1.0), "a word"),
        *numbers("sensitivity", lambda v: mechanisms.laplace_mechanism(1.0, v, 1.0, rng=0)),
        *numbers("epsilon", lambda v: mechanisms.laplace_mechanism(1.0, 1.0, v, rng=0)),
        Bad("rng", lambda: mechanisms.laplace_mechanism(1.0, 1.0, 1.0, rng="seed"), "string")],
    "ppml_lab.mechanisms.gaussian_sigma": [
        *numbers("sensitivity", lambda v: mechanisms.gaussian_sigma(v, 0.5, 1e-5)),
        *numbers("epsilon", lambda v: mechanisms.gaussian_sigma(1.0, v, 1e-5)),
        *numbers("delta", lambda v: mechanisms.gaussian_sigma(1.0, 0.5, v)),
        Bad("delta", lambda: mechanisms.gaussian_sigma(1.0, 0.5, 1.0), "one"),
        Bad("epsilon", lambda: mechanisms.gaussian_sigma(1.0, 2.0, 1e-5), "classic calibration needs epsilon < 1"),
        Bad("method", lambda: mechanisms.gaussian_sigma(1.0, 0.5, 1e-5, method="tight"), "unknown")],
    "ppml_lab.mechanisms.gaussian_mechanism": [
        *_answers("true_answer", lambda v: mechanisms.gaussian_mechanism(v, 1.0, 0.5, 1e-5, rng=0)),
        *numbers("epsilon", lambda v: mechanisms.gaussian_mechanism(1.0, 1.0, v, 1e-5, rng=0)),
        *numbers("delta", lambda v: mechanisms.gaussian_mechanism(1.0, 1.0, 0.5, v, rng=0)),
        Bad("method", lambda: mechanisms.gaussian_mechanism(1.0, 1.0, 0.5, 1e-5, method=None), "None")],
    "ppml_lab.mechanisms.randomized_response_keep_probability": numbers(
        "epsilon", mechanisms.randomized_response_keep_probability),
    "ppml_lab.mechanisms.randomized_response": [
        Bad("true_answer", lambda: mechanisms.randomized_response([], 1.0), "empty"),
        Bad("true_answer", lambda: mechanisms.randomized_response([0, 2], 1.0), "not a bit"),
        Bad("true_answer", lambda: mechanisms.randomized_response([0.0, NAN], 1.0), "NaN"),
        Bad("true_answer", lambda: mechanisms.randomized_response("01", 1.0), "a string"),
        *numbers("epsilon", lambda v: mechanisms.randomized_response([0, 1], v)),
        Bad("sensitivity", lambda: mechanisms.randomized_response([0, 1], 1.0, sensitivity=2.0), "not 1"),
        Bad("sensitivity", lambda: mechanisms.randomized_response([0, 1], 1.0, sensitivity=NAN), "NaN")],
    "ppml_lab.mechanisms.estimate_proportion_from_rr": [
        Bad("responses", lambda: mechanisms.estimate_proportion_from_rr([], 1.0), "empty"),
        Bad("responses", lambda: mechanisms.estimate_proportion_from_rr([1.0, NAN], 1.0), "NaN"),
        Bad("responses", lambda: mechanisms.estimate_proportion_from_rr([0.3, 1.0], 1.0), "not a bit"),
        *numbers("epsilon", lambda v: mechanisms.estimate_proportion_from_rr([0, 1], v))],
    # OpenDP mechanisms
    "ppml_lab.opendp_mechanisms.opendp_laplace_mechanism": [
        *_answers("true_answer", lambda v: opendp_mechanisms.opendp_laplace_mechanism(v, 1.0, 1.0)),
        Bad("true_answer", lambda: opendp_mechanisms.opendp_laplace_mechanism(np.zeros((2, 2)), 1.0, 1.0), "2-D"),
        *numbers("sensitivity", lambda v: opendp_mechanisms.opendp_laplace_mechanism(1.0, v, 1.0)),
        *numbers("epsilon", lambda v: opendp_mechanisms.opendp_laplace_mechanism(1.0, 1.0, v))],
    "ppml_lab.opendp_mechanisms.opendp_gaussian_mechanism": [
        *_answers("true_answer", lambda v: opendp_mechanisms.opendp_gaussian_mechanism(v, 1.0, 0.5, 1e-5)),
        *numbers("sensitivity", lambda v: opendp_mechanisms.opendp_gaussian_mechanism(1.0, v, 0.5, 1e-5)),
        *numbers("epsilon", lambda v: opendp_mechanisms.opendp_gaussian_mechanism(1.0, 1.0, v, 1e-5)),
        *numbers("delta", lambda v: opendp_mechanisms.opendp_gaussian_mechanism(1.0, 1.0, 0.5, v)),
        Bad("method", lambda: opendp_mechanisms.opendp_gaussian_mechanism(1.0, 1.0, 0.5, 1e-5, "x"), "unknown")],
    "ppml_lab.opendp_mechanisms.opendp_gaussian_epsilon": [
        *numbers("sensitivity", lambda v: opendp_mechanisms.opendp_gaussian_epsilon(v, 5.0, 1e-5)),
        *numbers("sigma", lambda v: opendp_mechanisms.opendp_gaussian_epsilon(1.0, v, 1e-5)),
        *numbers("delta", lambda v: opendp_mechanisms.opendp_gaussian_epsilon(1.0, 5.0, v))],
    # queries
    "ppml_lab.queries.count": [Bad("mask", lambda: queries.count("yes"), "a string"),
                               Bad("mask", lambda: queries.count(3), "a number"),
                               Bad("mask", lambda: queries.count([0.5, 1.0]), "not boolean"),
                               Bad("mask", lambda: queries.count([True, NAN]), "NaN"),
                               Bad("mask", lambda: queries.count([[True], [False]]), "2-D")],
    "ppml_lab.queries.private_count": [Bad("mask", lambda: queries.private_count(None, 1.0), "None"),
                                       Bad("mask", lambda: queries.private_count([2, 3], 1.0), "not boolean"),
                                       *numbers("epsilon", lambda v: queries.private_count([True], v)),
                                       Bad("rng", lambda: queries.private_count([True], 1.0, rng=1.5), "float")],
    "ppml_lab.queries.mean_sensitivity": [
        Bad("n", lambda: queries.mean_sensitivity(0, 0, 1), "zero"),
        Bad("n", lambda: queries.mean_sensitivity(2.5, 0, 1), "float"),
        Bad("n", lambda: queries.mean_sensitivity("3", 0, 1), "string"),
        Bad("lower", lambda: queries.mean_sensitivity(3, NAN, 1), "NaN"),
        Bad("upper", lambda: queries.mean_sensitivity(3, 0, INF), "inf"),
        Bad("upper", lambda: queries.mean_sensitivity(3, 5, 5), "upper == lower")],
    "ppml_lab.queries.private_mean": [
        Bad("values", lambda: queries.private_mean([], 0, 5, 1.0), "empty"),
        Bad("values", lambda: queries.private_mean([1.0, NAN], 0, 5, 1.0), "NaN"),
        Bad("values", lambda: queries.private_mean([1.0, INF], 0, 5, 1.0), "inf"),
        Bad("values", lambda: queries.private_mean("12", 0, 5, 1.0), "a string"),
        Bad("values", lambda: queries.private_mean([[1.0], [2.0]], 0, 5, 1.0), "2-D"),
        Bad("lower", lambda: queries.private_mean([1.0], NAN, 5, 1.0), "NaN"),
        Bad("upper", lambda: queries.private_mean([1.0], 0, -1, 1.0), "below lower"),
        *numbers("epsilon", lambda v: queries.private_mean([1.0], 0, 5, v))],
    # accounting
    "ppml_lab.accounting.basic_composition": [
        Bad("epsilons", lambda: accounting.basic_composition([]), "empty"),
        Bad("epsilons", lambda: accounting.basic_composition(0.5), "a number"),
        Bad("epsilons", lambda: accounting.basic_composition("0.5"), "a string"),
        Bad("epsilons", lambda: accounting.basic_composition([0.5, NAN]), "NaN"),
        Bad("epsilons", lambda: accounting.basic_composition([0.5, -1.0]), "negative"),
        Bad("deltas", lambda: accounting.basic_composition([0.5], [1e-5, 1e-5]), "wrong length"),
        Bad("deltas", lambda: accounting.basic_composition([0.5], [1.5]), "above one"),
        Bad("deltas", lambda: accounting.basic_composition([0.5], 1e-5), "a number")],
    "ppml_lab.accounting.advanced_composition": [
        Bad("epsilons", lambda: accounting.advanced_composition([]), "empty"),
        Bad("epsilons", lambda: accounting.advanced_composition([INF]), "inf"),
        Bad("deltas", lambda: accounting.advanced_composition([0.5], [NAN]), "NaN"),
        *numbers("delta_prime", lambda v: accounting.advanced_composition([0.5], None, v))],
    "ppml_lab.accounting.BudgetExceededError": exempt("an exception class"),
    "ppml_lab.accounting.PrivacyLedger": [
        *numbers("epsilon_budget", lambda v: accounting.PrivacyLedger(v)),
        *numbers("delta_budget", lambda v: accounting.PrivacyLedger(1.0, v), allow_zero=True),
        Bad("composition", lambda: accounting.PrivacyLedger(1.0, composition="fancy"), "unknown"),
        Bad("delta_prime", lambda: accounting.PrivacyLedger(1.0, 1e-6, "advanced", 1e-5), "above delta_budget"),
        Bad("delta_prime", lambda: accounting.PrivacyLedger(1.0, 1e-5, "basic", NAN), "NaN"),
        *[Bad(case.param, case.call, f"spend: {case.why}", state=_ledger_state)
          for case in numbers("epsilon", lambda v: LEDGER.spend("q", v))],
        Bad("delta", lambda: LEDGER.spend("q", 0.1, delta=NAN), "spend: NaN", state=_ledger_state),
        Bad("query", lambda: LEDGER.spend(None, 0.1), "spend: None", state=_ledger_state),
        Bad("query", lambda: LEDGER.spend("", 0.1), "spend: empty", state=_ledger_state),
        Bad("epsilon", lambda: LEDGER.can_spend(NAN), "can_spend: NaN", state=_ledger_state),
        Bad("epsilon_budget", lambda: LEDGER.set_budget(0.1), "set_budget: below spent", state=_ledger_state),
        Bad("epsilon_budget", lambda: LEDGER.set_budget(NAN), "set_budget: NaN", state=_ledger_state),
        Bad("delta_budget", lambda: LEDGER.set_budget(1.0, -1.0), "set_budget: negative", state=_ledger_state)],
    # attacks: differencing
    "ppml_lab.attacks.differencing.DifferencingResult": [
        Bad("count_everyone", lambda: differencing.DifferencingResult(NAN, 1.0), "NaN"),
        Bad("count_without_target", lambda: differencing.DifferencingResult(1.0, "1"), "a string")],
    "ppml_lab.attacks.differencing.differencing_attack": [
        Bad("table", lambda: differencing.differencing_attack(TABLE_ROWS.iloc[:0], HAS[:0], TARGET[:0]), "empty"),
        Bad("has_attribute", lambda: differencing.differencing_attack(TABLE_ROWS, HAS[:2], TARGET), "wrong length"),
        Bad("has_attribute", lambda: differencing.differencing_attack(TABLE_ROWS, [True] * 3, TARGET), "a list"),
        Bad("is_target", lambda: differencing.differencing_attack(TABLE_ROWS, HAS, TARGET.astype(int)), "ints"),
        Bad("is_target", lambda: differencing.differencing_attack(TABLE_ROWS, HAS, TARGET & False), "nobody"),
        Bad("answer", lambda: differencing.differencing_attack(TABLE_ROWS, HAS, TARGET, answer=3), "not callable")],
    "ppml_lab.attacks.differencing.attack_accuracy": [
        *numbers("epsilon_per_query", lambda v: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET, v, 10, 0)),
        Bad("trials", lambda: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET, 1.0, 0, 0), "zero"),
        Bad("trials", lambda: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET, 1.0, 2.5, 0), "float"),
        Bad("is_target", lambda: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET[:1], 1.0, 10, 0), "length"),
        Bad("knows_others", lambda: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET, 1.0, 10, 0, "yes"),
            "a string"),
        Bad("rng", lambda: differencing.attack_accuracy(TABLE_ROWS, HAS, TARGET, 1.0, 10, "0"), "string")],
    "ppml_lab.attacks.differencing.best_guess_bound": numbers("epsilon", differencing.best_guess_bound),
    # attacks: floating point
    "ppml_lab.attacks.floating_point.textbook_laplace_noise": [
        Bad("k", lambda: floating_point.textbook_laplace_noise(0, 1.0), "zero"),
        Bad("k", lambda: floating_point.textbook_laplace_noise(2**53, 1.0), "too large"),
        Bad("k", lambda: floating_point.textbook_laplace_noise(0.5, 1.0), "float"),
        *numbers("scale", lambda v: floating_point.textbook_laplace_noise(5, v))],
    "ppml_lab.attacks.floating_point.textbook_laplace_can_output": [
        *numbers("output", lambda v: floating_point.textbook_laplace_can_output(v, 0.0, 1.0), allow_zero=True,
                 allow_negative=True),
        *numbers("true_answer", lambda v: floating_point.textbook_laplace_can_output(0.5, v, 1.0), allow_zero=True,
                 allow_negative=True),
        *numbers("scale", lambda v: floating_point.textbook_laplace_can_output(0.5, 0.0, v))],
    "ppml_lab.attacks.floating_point.floating_point_attack": [
        Bad("outputs", lambda: floating_point.floating_point_attack([], 1.0), "empty"),
        Bad("outputs", lambda: floating_point.floating_point_attack([0.5, NAN], 1.0), "NaN"),
        Bad("outputs", lambda: floating_point.floating_point_attack(0.5, 1.0), "a number, not an array"),
        *numbers("scale", lambda v: floating_point.floating_point_attack([0.5], v)),
        Bad("candidates", lambda: floating_point.floating_point_attack([0.5], 1.0, (0.0,)), "one candidate"),
        Bad("candidates", lambda: floating_point.floating_point_attack([0.5], 1.0, (0.0, NAN)), "NaN"),
        Bad("candidates", lambda: floating_point.floating_point_attack([0.5], 1.0, "01"), "a string")],
    "ppml_lab.attacks.floating_point.FloatingPointAttackResult": [
        Bad("accuracy", lambda: floating_point.FloatingPointAttackResult(1.5, 0.5, 0.5, 10), "above one"),
        Bad("identified", lambda: floating_point.FloatingPointAttackResult(0.5, NAN, 0.5, 10), "NaN"),
        Bad("identified_right", lambda: floating_point.FloatingPointAttackResult(0.5, 0.5, -0.1, 10), "negative"),
        Bad("trials", lambda: floating_point.FloatingPointAttackResult(0.5, 0.5, 0.5, 0), "zero")],
    "ppml_lab.attacks.floating_point.floating_point_attack_accuracy": [
        Bad("release", lambda: floating_point.floating_point_attack_accuracy(None, 1.0), "None"),
        Bad("release", lambda: floating_point.floating_point_attack_accuracy(lambda x: x[:1], 2.0, 5), "wrong shape"),
        *numbers("scale", lambda v: floating_point.floating_point_attack_accuracy(_textbook, v, 5)),
        Bad("trials", lambda: floating_point.floating_point_attack_accuracy(_textbook, 2.0, 0), "zero"),
        Bad("candidates", lambda: floating_point.floating_point_attack_accuracy(_textbook, 2.0, 5, (0, 1, 2)),
            "three")],
    # exercise checks (a student's wrong answer is feedback; a call that makes no sense is an error)
    "ppml_lab.exercises.laplace.check_mean_query_scale": [
        Bad("n", lambda: ex.check_mean_query_scale(0.05, 0.1, n=0), "zero"),
        Bad("upper", lambda: ex.check_mean_query_scale(0.05, 0.1, lower=5, upper=5), "upper == lower"),
        *numbers("epsilon", lambda v: ex.check_mean_query_scale(0.05, 0.1, epsilon=v))],
    "ppml_lab.exercises.laplace.check_rr_estimator": [Bad("estimate", lambda: ex.check_rr_estimator(0.3), "a number")],
    "ppml_lab.exercises.laplace.check_queries_answered": [
        Bad("answer", lambda: ex.check_queries_answered("many"), "a string"),
        *numbers("query_epsilon", lambda v: ex.check_queries_answered(337, query_epsilon=v)),
        *numbers("epsilon_budget", lambda v: ex.check_queries_answered(337, epsilon_budget=v)),
        Bad("delta_prime", lambda: ex.check_queries_answered(337, delta_prime=NAN), "NaN")],
}
