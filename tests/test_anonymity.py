"""Tests of ppml_lab.anonymity: hierarchies, Mondrian, k/l/t (against pycanon), the linkage attack."""

from __future__ import annotations

import pandas as pd
import pytest

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


def _patients_release(k):
    import ppml_lab as lab

    people = lab.datasets.load_patients()[["sex", "birth_date", "zip", "diagnosis"]]
    return people if k == 1 else an.mondrian(people, QI, k).release


@pytest.mark.parametrize("k", [2, 5, 10, 25])
def test_pycanon_agrees_with_k_l_t_on_every_table_the_lesson_releases(k):
    import pycanon.anonymity as pc

    release = _patients_release(k)
    report = an.measure(release, QI, "diagnosis")
    assert report.k == pc.k_anonymity(release, QI) and report.k >= k
    assert report.distinct_l == pc.l_diversity(release, QI, ["diagnosis"])
    assert int(report.entropy_l) == pc.entropy_l_diversity(release, QI, ["diagnosis"])
    assert report.t == pytest.approx(pc.t_closeness(release, QI, ["diagnosis"]), abs=1e-12)


def test_mondrian_reaches_k_and_its_ranges_cover_the_raw_values():
    people = PEOPLE.assign(zip=["02139", "02139", "02141", "02142"])
    result = an.mondrian(people, QI, 2)
    assert an.k_anonymity(result.release, QI) >= 2 and result.n_partitions == 2
    for q in QI:
        assert all(an.covers(g, v) for g, v in zip(result.release[q], people[q]))


def test_homogeneity_attack_learns_a_single_valued_class():
    release = PEOPLE.assign(diagnosis=["flu", "flu", "flu", "HIV"], sex="*", birth_date="*",
                            zip=["021**", "021**", "021**", "606**"])
    result = an.homogeneity_attack(release, PEOPLE, QI, "name", "diagnosis")
    assert result.disclosed == 4 and result.correct == 4
    mixed = release.assign(diagnosis=["flu", "HIV", "flu", "HIV"])
    assert an.homogeneity_attack(mixed, PEOPLE, QI, "name", "diagnosis").disclosed == 1
    knows = an.background_knowledge_attack(mixed, PEOPLE.iloc[:2], QI, "name", "diagnosis", ["HIV"])
    assert knows.disclosed == 2 and knows.correct == 1


def test_utility_metrics_on_a_known_partition():
    release = PEOPLE.assign(sex="*")
    assert an.discernibility(PEOPLE, QI) == 4
    assert an.average_class_size(PEOPLE, QI, 1) == 1.0
    assert an.query_answers(PEOPLE).sum() == pytest.approx(2 * len(PEOPLE))
    female = an.query_answers(release).xs("F", level="sex").sum()
    assert female == pytest.approx(2.0)  # each row half female under the uniform spread


def test_dp_table_sums_to_the_exact_queries_without_noise_and_opendp_matches_the_seeded_twin():
    import numpy as np
    from scipy import stats

    values = ["HIV", "asthma", "flu"]
    counts = an.contingency_table(PEOPLE, values)
    assert counts.sum() == 4
    exact = an.answers_from_table(counts, values)
    assert exact.to_numpy() == pytest.approx(an.query_answers(PEOPLE, values=values).to_numpy())
    zeros = np.zeros((5, 8, 2, 3), dtype=np.int64) + 50
    opendp = an.release_contingency_table(zeros, 0.5, values)
    seeded = an.simulate_release(zeros, 0.5, values, rng=0)
    assert opendp.epsilon == pytest.approx(0.5)
    assert stats.ks_2samp(opendp.counts.ravel(), seeded.counts.ravel()).pvalue > 1e-4
    assert (an.simulate_release(counts, 0.1, values, rng=1).counts >= 0).all()
