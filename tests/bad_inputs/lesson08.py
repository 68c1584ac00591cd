"""Bad inputs for lesson 08: pii, anonymity, exercises.anonymization and the lesson's plots."""

from __future__ import annotations

import pandas as pd

from ppml_lab import anonymity as an

from . import Bad, numbers

PEOPLE = pd.DataFrame({"name": ["Ann", "Bob", "Cy", "Di"], "sex": ["F", "M", "M", "F"],
                       "birth_date": ["1950-01-02", "1960-03-04", "1960-05-06", "1970-07-08"],
                       "zip": ["02139", "02139", "02141", "60640"], "diagnosis": ["flu", "HIV", "flu", "asthma"]})
QI = ["sex", "birth_date", "zip"]

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
        Bad("targets", lambda: an.LinkageResult(1, 0, 0.0, 0, 0.0, pd.DataFrame()), "no targets"),
        Bad("reidentified", lambda: an.LinkageResult(3, 2, 1.5, 0, 0.0, pd.DataFrame()), "more than targets")],
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
}
