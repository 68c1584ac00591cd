"""Tests of ppml_lab.anonymity: hierarchies, Mondrian, k/l/t (against pycanon), the linkage attack."""

from __future__ import annotations

import pandas as pd

from ppml_lab import anonymity as an

PEOPLE = pd.DataFrame({"name": ["Ann", "Bob", "Cy", "Di"], "sex": ["F", "M", "M", "F"],
                       "birth_date": ["1950-01-02", "1960-03-04", "1960-05-06", "1970-07-08"],
                       "zip": ["02139", "02139", "02141", "60640"], "diagnosis": ["flu", "HIV", "flu", "asthma"]})
QI = ["sex", "birth_date", "zip"]


def test_hierarchies_generalise_step_by_step():
    assert [an.generalize_zip("02139", level) for level in (0, 2, 5)] == ["02139", "021**", "*****"]
    assert [an.generalize_birth_date("1943-06-13", lv) for lv in range(5)] == [
        "1943-06-13", "1943-06", "1943", "194*", "*"]
    assert an.generalize_sex("F", 1) == "*"


def test_covers_each_kind_of_generalised_value():
    assert an.covers("021**", "02139") and not an.covers("021**", "02239")
    assert an.covers("1943", "1943-06-13") and an.covers("1943-06", "1943-06-13")
    assert not an.covers("1943-06", "1943-07-01")
    assert an.covers("02139..02199", "02150") and not an.covers("02139..02199", "02200")
    assert an.covers("*", "anything")


def test_linkage_reidentifies_unique_rows_and_not_generalised_ones():
    raw = an.linkage_attack(PEOPLE, PEOPLE, QI, "name")
    assert (raw.reidentified, raw.targets, raw.rate) == (4, 4, 1.0)
    release = an.generalize(PEOPLE, {"zip": 5, "birth_date": 4})  # only sex left: two people per class
    general = an.linkage_attack(release, PEOPLE, QI, "name")
    assert general.reidentified == 0 and general.mean_candidates == 2.0


def test_linkage_without_ground_truth_counts_unique_matches():
    result = an.linkage_attack(PEOPLE.drop(columns="name"), PEOPLE.iloc[:2], QI, "name")
    assert result.reidentified == 2 and list(result.matches["release_row"]) == [0, 1]


def test_voter_roll_is_a_seeded_subset():
    roll = an.make_voter_roll(PEOPLE, 0.5, rng=3)
    assert len(roll) == 2 and roll.equals(an.make_voter_roll(PEOPLE, 0.5, rng=3))
    assert list(roll.columns) == ["name", "sex", "birth_date", "zip"]
