"""Tests of the checks of lesson 08's exercises: the reference passes, each named mistake gets its message."""

from __future__ import annotations

from ppml_lab.exercises import anonymization as exa


def reference_k(table, quasi_identifiers):
    return int(table.groupby(list(quasi_identifiers)).size().min())


def test_reference_k_passes():
    assert exa.check_k_anonymity(reference_k).passed


def test_named_k_mistakes():
    assert "number of equivalence classes" in exa.check_k_anonymity(
        lambda t, q: int(t.groupby(q).ngroups)).message
    assert "largest class" in exa.check_k_anonymity(lambda t, q: int(t.groupby(q).size().max())).message
    assert "one column" in exa.check_k_anonymity(lambda t, q: int(t.groupby(q[0]).size().min())).message
    assert "sensitive attribute" in exa.check_k_anonymity(
        lambda t, q: int(t.groupby(q + ["diagnosis"]).size().min())).message


def test_k_stub_raising_and_wrong_type_get_feedback():
    def stub(table, quasi_identifiers):
        raise NotImplementedError

    assert "NotImplementedError" in exa.check_k_anonymity(stub).message
    assert not exa.check_k_anonymity(lambda t, q: 1 / 0).passed
    assert "integer" in exa.check_k_anonymity(lambda t, q: "3").message


def test_reference_pattern_passes_and_named_mistakes():
    assert exa.check_employee_id_pattern(r"\bEMP-\d{5}\b").passed
    assert "five digits" in exa.check_employee_id_pattern(r"EMP-\d+").message
    assert "word boundary" in exa.check_employee_id_pattern(r"EMP-\d{5}(?!\d)").message
    assert "empty" in exa.check_employee_id_pattern("").message
    assert "valid regular expression" in exa.check_employee_id_pattern("EMP-(").message
    assert "str" in exa.check_employee_id_pattern(5).message
