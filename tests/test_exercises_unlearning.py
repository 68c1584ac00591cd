"""Lesson 10's exercise checks: the reference passes, named mistakes get their message, bad answers get feedback."""

import numpy as np

from ppml_lab.exercises import unlearning as exu


def retrained(record_id, shards):
    for shard, slices in enumerate(shards):
        for slice_, records in enumerate(slices):
            if record_id in records:
                return shard, list(range(slice_, len(slices)))
    return None


def test_retrained_stages():
    assert exu.check_retrained_stages(retrained).passed
    only_slice = lambda r, s: (retrained(r, s)[0], retrained(r, s)[1][:1])  # noqa: E731
    assert "later stage" in exu.check_retrained_stages(only_slice).message
    whole = lambda r, s: (retrained(r, s)[0], list(range(len(s[0]))))  # noqa: E731
    assert "whole shard" in exu.check_retrained_stages(whole).message
    one_based = lambda r, s: (retrained(r, s)[0] + 1, [k + 1 for k in retrained(r, s)[1]])  # noqa: E731
    assert "count from 0" in exu.check_retrained_stages(one_based).message
    assert not exu.check_retrained_stages(lambda r, s: 3).passed
    assert "NotImplementedError" in exu.check_retrained_stages(lambda r, s: exec("raise NotImplementedError")).message


def stub(record_id, shards):
    raise NotImplementedError


def test_stub_and_raising_answers_get_feedback():
    assert not exu.check_retrained_stages(stub).passed
    assert not exu.check_expected_speedup(lambda s, r: 1 / 0).passed


def test_expected_speedup():
    assert exu.check_expected_speedup(lambda s, r: 3 * s * r / (2 * r + 1)).passed
    assert "sharding alone" in exu.check_expected_speedup(lambda s, r: s).message
    assert "S x R" in exu.check_expected_speedup(lambda s, r: s * r).message
    assert "equally expensive" in exu.check_expected_speedup(lambda s, r: 2 * s * r / (r + 1)).message
    assert not exu.check_expected_speedup(lambda s, r: "fast").passed
    assert not exu.check_expected_speedup(lambda s, r: np.nan).passed
