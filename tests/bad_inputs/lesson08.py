"""Bad inputs for lesson 08: pii, anonymity, exercises.anonymization and the lesson's plots."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ppml_lab import anonymity as an
from ppml_lab import pii, plots
from ppml_lab.attacks import secret_sharer as ss
from ppml_lab.exercises import anonymization as exa

from . import Bad, exempt, numbers

PEOPLE = pd.DataFrame({"name": ["Ann", "Bob", "Cy", "Di"], "sex": ["F", "M", "M", "F"],
                       "birth_date": ["1950-01-02", "1960-03-04", "1960-05-06", "1970-07-08"],
                       "zip": ["02139", "02139", "02141", "60640"], "diagnosis": ["flu", "HIV", "flu", "asthma"]})
QI = ["sex", "birth_date", "zip"]
VALUES = ["HIV", "asthma", "flu"]
COUNTS = np.zeros((5, 8, 2, 3), dtype=np.int64)
KEY, SALT = bytes(range(32)), bytes(range(16))
RECORDS = [pii.Record("r", "test", "call 617-555-0142", (pii.Span(5, 17, "PHONE_NUMBER"),))]
RESULT = "a result record that the lab's functions build and return"

TABLE = {
    # ------------------------------------------------------------------ anonymity.hierarchies
    "ppml_lab.anonymity.generalize_zip": [
        Bad("zip_code", lambda: an.generalize_zip("2139", 1), "a value the hierarchy does not cover"),
        Bad("level", lambda: an.generalize_zip("02139", 6), "above the top level"),
        Bad("level", lambda: an.generalize_zip("02139", -1), "negative")],
    "ppml_lab.anonymity.generalize_birth_date": [
        Bad("birth_date", lambda: an.generalize_birth_date("13/06/1943", 1), "not ISO"),
        Bad("level", lambda: an.generalize_birth_date("1943-06-13", 5), "above the top level")],
    "ppml_lab.anonymity.generalize_sex": [
        Bad("sex", lambda: an.generalize_sex("X", 0), "a value the hierarchy does not cover"),
        Bad("level", lambda: an.generalize_sex("F", 2), "above the top level")],
    "ppml_lab.anonymity.generalize": [
        Bad("table", lambda: an.generalize(PEOPLE.iloc[:0], {"zip": 1}), "empty"),
        Bad("levels", lambda: an.generalize(PEOPLE, {"diagnosis": 1}), "a column with no hierarchy"),
        Bad("levels", lambda: an.generalize(PEOPLE, {}), "empty"),
        Bad("zip_code", lambda: an.generalize(PEOPLE.assign(zip="1"), {"zip": 1}), "a value not covered")],
    "ppml_lab.anonymity.covers": [
        Bad("general", lambda: an.covers(None, "02139"), "not a string"),
        Bad("value", lambda: an.covers("021**", 2139), "not a string")],
    # ------------------------------------------------------------------ anonymity.linkage
    "ppml_lab.anonymity.LinkageResult": [
        Bad("targets", lambda: an.LinkageResult(1, 0, 0.0, 0, 0.0, 0.0, pd.DataFrame()), "no targets"),
        Bad("reidentified", lambda: an.LinkageResult(3, 2, 1.5, 0, 0.0, 0.0, pd.DataFrame()), "more than targets")],
    "ppml_lab.anonymity.linkage_attack": [
        Bad("release", lambda: an.linkage_attack(PEOPLE.iloc[:0], PEOPLE, QI, "name"), "empty"),
        Bad("auxiliary", lambda: an.linkage_attack(PEOPLE, [1, 2], QI, "name"), "not a table"),
        Bad("quasi_identifiers", lambda: an.linkage_attack(PEOPLE, PEOPLE, ["age"], "name"), "missing column"),
        Bad("quasi_identifiers", lambda: an.linkage_attack(PEOPLE, PEOPLE, "zip", "name"), "a string"),
        Bad("identity", lambda: an.linkage_attack(PEOPLE, PEOPLE, QI, "ssn"), "missing column")],
    "ppml_lab.anonymity.make_voter_roll": [
        *numbers("fraction", lambda v: an.make_voter_roll(PEOPLE, v)),
        Bad("fraction", lambda: an.make_voter_roll(PEOPLE, 1.5), "above 1"),
        Bad("people", lambda: an.make_voter_roll(PEOPLE.iloc[:0]), "empty"),
        Bad("columns", lambda: an.make_voter_roll(PEOPLE, 0.5, 0, ["ssn"]), "missing column")],
    # ------------------------------------------------------------------ anonymity: measures, partition, utility
    "ppml_lab.anonymity.AnonymityReport": exempt(RESULT),
    "ppml_lab.anonymity.MondrianResult": exempt(RESULT),
    "ppml_lab.anonymity.DisclosureResult": exempt(RESULT),
    "ppml_lab.anonymity.DPTable": exempt(RESULT),
    "ppml_lab.anonymity.mondrian": [
        Bad("k", lambda: an.mondrian(PEOPLE, QI, 5), "k larger than the table"),
        Bad("k", lambda: an.mondrian(PEOPLE, QI, 0), "zero"),
        Bad("quasi_identifiers", lambda: an.mondrian(PEOPLE, ["age"], 2), "a column that does not exist"),
        Bad("table", lambda: an.mondrian("table", QI, 2), "not a table")],
    "ppml_lab.anonymity.equivalence_classes": [
        Bad("table", lambda: an.equivalence_classes(PEOPLE.iloc[:0], QI), "empty"),
        Bad("quasi_identifiers", lambda: an.equivalence_classes(PEOPLE, ["age"]), "missing column")],
    "ppml_lab.anonymity.k_anonymity": [
        Bad("quasi_identifiers", lambda: an.k_anonymity(PEOPLE, ["age"]), "missing column")],
    "ppml_lab.anonymity.distinct_l_diversity": [
        Bad("sensitive", lambda: an.distinct_l_diversity(PEOPLE, QI, "ssn"), "missing column")],
    "ppml_lab.anonymity.entropy_l_diversity": [
        Bad("sensitive", lambda: an.entropy_l_diversity(PEOPLE, QI, "ssn"), "missing column")],
    "ppml_lab.anonymity.t_closeness": [
        Bad("quasi_identifiers", lambda: an.t_closeness(PEOPLE, [], "diagnosis"), "empty list")],
    "ppml_lab.anonymity.measure": [
        Bad("sensitive", lambda: an.measure(PEOPLE, QI, None), "None")],
    "ppml_lab.anonymity.discernibility": [
        Bad("quasi_identifiers", lambda: an.discernibility(PEOPLE, ["age"]), "missing column")],
    "ppml_lab.anonymity.average_class_size": [
        Bad("k", lambda: an.average_class_size(PEOPLE, QI, 10), "k larger than the table")],
    "ppml_lab.anonymity.cell_probabilities": [
        Bad("table", lambda: an.cell_probabilities(PEOPLE.drop(columns="zip")), "no zip column")],
    "ppml_lab.anonymity.query_answers": [
        Bad("sensitive", lambda: an.query_answers(PEOPLE, "ssn"), "missing column")],
    "ppml_lab.anonymity.query_error": [
        Bad("estimate", lambda: an.query_error(pd.Series([1.0]), [1.0]), "not a Series")],
    # ------------------------------------------------------------------ anonymity: attacks, DP, sweeps
    "ppml_lab.anonymity.homogeneity_attack": [
        Bad("sensitive", lambda: an.homogeneity_attack(PEOPLE, PEOPLE, QI, "name", "ssn"), "missing column")],
    "ppml_lab.anonymity.background_knowledge_attack": [
        Bad("ruled_out", lambda: an.background_knowledge_attack(PEOPLE, PEOPLE, QI, "name", "diagnosis", []),
            "empty"),
        Bad("ruled_out", lambda: an.background_knowledge_attack(PEOPLE, PEOPLE, QI, "name", "diagnosis",
                                                                ["cancer"]), "a value never taken")],
    "ppml_lab.anonymity.contingency_table": [
        Bad("values", lambda: an.contingency_table(PEOPLE, []), "empty"),
        Bad("table", lambda: an.contingency_table(PEOPLE, ["flu"]), "values outside the domain")],
    "ppml_lab.anonymity.answers_from_table": [
        Bad("counts", lambda: an.answers_from_table(np.zeros((2, 2)), VALUES), "wrong shape")],
    "ppml_lab.anonymity.release_contingency_table":
        numbers("epsilon", lambda v: an.release_contingency_table(COUNTS, v, VALUES)),
    "ppml_lab.anonymity.simulate_release": numbers("epsilon", lambda v: an.simulate_release(COUNTS, v, VALUES)),
    "ppml_lab.anonymity.discrete_laplace": numbers("scale", lambda v: an.discrete_laplace((2,), v)),
    "ppml_lab.anonymity.k_anonymity_sweep": [
        Bad("ks", lambda: an.k_anonymity_sweep(PEOPLE, PEOPLE, [0]), "zero"),
        Bad("voter_roll", lambda: an.k_anonymity_sweep(PEOPLE, PEOPLE.iloc[:0], [1]), "empty")],
    "ppml_lab.anonymity.dp_sweep": [
        Bad("epsilons", lambda: an.dp_sweep(PEOPLE, [0.0]), "zero"),
        Bad("seeds", lambda: an.dp_sweep(PEOPLE, [1.0], seeds=0), "zero")],
    # ------------------------------------------------------------------ pii
    "ppml_lab.pii.Record": exempt(RESULT),
    "ppml_lab.pii.Span": [
        Bad("start", lambda: pii.Span(5, 2, "US_SSN"), "end before start"),
        Bad("entity", lambda: pii.Span(0, 1, ""), "empty")],
    "ppml_lab.pii.offline_tld_extractor": exempt("takes no argument"),
    "ppml_lab.pii.employee_id_recognizer": exempt("takes no argument"),
    "ppml_lab.pii.zip_recognizer": exempt("takes no argument"),
    "ppml_lab.pii.ner_model_installed": [Bad("model", lambda: pii.ner_model_installed(5), "not a str")],
    "ppml_lab.pii.make_analyzer": [
        Bad("recognizers", lambda: pii.make_analyzer("everything"), "unknown configuration"),
        Bad("ner_model", lambda: pii.make_analyzer(ner_model="no_such_model_xx"), "not installed")],
    "ppml_lab.pii.analyze": [
        Bad("text", lambda: pii.analyze(None, ""), "empty text"),
        Bad("text", lambda: pii.analyze(None, 5), "not a str"),
        Bad("entities", lambda: pii.analyze(None, "hi", ["SECRET_SAUCE"]), "unknown entity type"),
        Bad("analyzer", lambda: pii.analyze(None, "hi"), "not an analyzer")],
    "ppml_lab.pii.load_corpus": [Bad("data_dir", lambda: pii.load_corpus(5), "not a path")],
    "ppml_lab.pii.detect": [Bad("records", lambda: pii.detect(None, []), "empty")],
    "ppml_lab.pii.match_spans": [Bad("mode", lambda: pii.match_spans([], [], "fuzzy"), "unknown mode")],
    "ppml_lab.pii.score": [
        Bad("found", lambda: pii.score(RECORDS, []), "one list per record"),
        Bad("mode", lambda: pii.score(RECORDS, [()], "fuzzy"), "unknown mode")],
    "ppml_lab.pii.misses": [Bad("found", lambda: pii.misses(RECORDS, [(), ()]), "one list per record")],
    "ppml_lab.pii.salted_hash": [
        Bad("value", lambda: pii.salted_hash(5, SALT), "not a str"),
        Bad("salt", lambda: pii.salted_hash("617-555-0142", b"short"), "shorter than 16 bytes")],
    "ppml_lab.pii.operator_config": [
        Bad("operator", lambda: pii.operator_config("rot13"), "unknown operator"),
        Bad("salt", lambda: pii.operator_config("hash", salt=b"x"), "too short"),
        Bad("key", lambda: pii.operator_config("encrypt", key=b"short"), "not an AES key")],
    "ppml_lab.pii.anonymize": [
        Bad("text", lambda: pii.anonymize("", []), "empty text"),
        Bad("operator", lambda: pii.anonymize("hi", [], "rot13"), "unknown operator"),
        Bad("results", lambda: pii.anonymize("hi", "x"), "not a list")],
    "ppml_lab.pii.encrypt": [
        Bad("text", lambda: pii.encrypt("", [], KEY), "empty text"),
        Bad("key", lambda: pii.encrypt("hi", [], b"k"), "not an AES key")],
    "ppml_lab.pii.decrypt": [
        Bad("key", lambda: pii.decrypt("x", b"k"), "not an AES key"),
        Bad("encrypted", lambda: pii.decrypt("x", KEY), "not encrypt's result")],
    "ppml_lab.pii.redact_texts": [Bad("texts", lambda: pii.redact_texts(None, "one text"), "a str")],
    # ------------------------------------------------------------------ attacks.secret_sharer
    "ppml_lab.attacks.secret_sharer.CharMLP": [
        Bad("vocab_size", lambda: ss.CharMLP(0), "zero"),
        Bad("context", lambda: ss.CharMLP(5, context=-1), "negative")],
    "ppml_lab.attacks.secret_sharer.ExposureResult": exempt(RESULT),
    "ppml_lab.attacks.secret_sharer.plant_text_canary": [
        Bad("texts", lambda: ss.plant_text_canary([], "SSN 1", 1), "empty"),
        Bad("canary", lambda: ss.plant_text_canary(["a"], "", 1), "empty"),
        Bad("copies", lambda: ss.plant_text_canary(["a"], "SSN 1", 2), "more copies than texts")],
    "ppml_lab.attacks.secret_sharer.random_secrets": [Bad("count", lambda: ss.random_secrets(0), "zero")],
    "ppml_lab.attacks.secret_sharer.train_char_model": [
        Bad("texts", lambda: ss.train_char_model("abc"), "a str"),
        Bad("epochs", lambda: ss.train_char_model(["abc"], epochs=0), "zero")],
    "ppml_lab.attacks.secret_sharer.log_perplexity": [
        Bad("secrets", lambda: ss.log_perplexity(ss.CharMLP(3, 2), {"a": 1, "b": 2}, "a", []), "empty"),
        Bad("prefix", lambda: ss.log_perplexity(ss.CharMLP(3, 2), {"a": 1, "b": 2}, "Z", ["a"]), "unknown char")],
    "ppml_lab.attacks.secret_sharer.text_canary_exposure": [
        Bad("n_references", lambda: ss.text_canary_exposure(["a 1"], "a ", "1", n_references=0), "zero")],
    # ------------------------------------------------------------------ exercises and plots
    "ppml_lab.exercises.anonymization.check_k_anonymity": [
        Bad("k_anonymity", lambda: exa.check_k_anonymity(5), "not a function")],
    "ppml_lab.exercises.anonymization.check_employee_id_pattern": exempt(
        "any answer, of any type, gets feedback (a wrong type is a student's mistake, not a bad call)"),
    "ppml_lab.plots.plot_anonymity_tradeoff": [
        Bad("k_sweep", lambda: plots.plot_anonymity_tradeoff("x", pd.DataFrame(), 1, 1.0), "not a table")],
}
