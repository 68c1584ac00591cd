"""The lesson-06 exercise checks accept the solutions and name the typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from ppml_lab import secure_aggregation as sa
from ppml_lab.exercises import secure_aggregation as checks

RING = 2**32


def signed_mask(u, v, seed, size):
    mask = sa.prg_mask(seed, size).astype(np.int64)
    return mask if u < v else (-mask) % RING


def precision_bits(ring_bits, n_clients, bound):
    bits = 0
    while n_clients * bound * 2 ** (bits + 1) < 2 ** (ring_bits - 1):
        bits += 1
    return bits


def remove_dropped_masks(masked_sum, survivors, dropped_seeds, sign=lambda u, d: 1 if u < d else -1, modulus=True):
    total = masked_sum.astype(np.int64)
    for d, peers in dropped_seeds.items():
        for u in survivors:
            total = total - sign(u, d) * sa.prg_mask(peers[u], total.size).astype(np.int64)
    return total % RING if modulus else total


def stub(*args):
    raise NotImplementedError


def test_solutions_pass():
    assert checks.check_pairwise_mask(signed_mask)
    assert checks.check_precision_bits(precision_bits)
    assert checks.check_remove_dropped_masks(remove_dropped_masks)


@pytest.mark.parametrize("check", [checks.check_pairwise_mask, checks.check_precision_bits,
                                   checks.check_remove_dropped_masks])
def test_stub_is_feedback_not_error(check):
    feedback = check(stub)
    assert not feedback and "NotImplementedError" in feedback.message


@pytest.mark.parametrize("answer, words", [
    (lambda u, v, seed, size: sa.prg_mask(seed, size).astype(np.int64), "both clients of a pair add"),
    (lambda u, v, seed, size: (-sa.prg_mask(seed, size).astype(np.int64)) % RING, "both clients of a pair subtract"),
    (lambda u, v, seed, size: (sa.prg_mask(seed, size).astype(np.int64) * (1 if seed[0] % 2 else -1)) % RING,
     "from the seed"),
    (lambda u, v, seed, size: sa.prg_mask(seed, size).astype(np.int64) * (1 if u < v else -1), "forgot the modulus"),
    (lambda u, v, seed, size: np.zeros(size, dtype=np.int64), "all zeros"),
    (lambda u, v, seed, size: np.arange(size) * (1 if u < v else RING - 1) % RING, "shared seed"),
    (lambda u, v, seed, size: None, "returned None"),
])
def test_pairwise_mask_names_mistakes(answer, words):
    feedback = checks.check_pairwise_mask(answer)
    assert not feedback and words in feedback.message


def _bits(ring_bits, n_clients, bound):
    return precision_bits(ring_bits, n_clients, bound)


@pytest.mark.parametrize("answer, words", [
    (lambda r, n, b: _bits(r + 1, n, b), "whole ring"),
    (lambda r, n, b: _bits(r, 1, b), "forgot n_clients"),
    (lambda r, n, b: _bits(r, n, 1.0), "forgot the bound"),
    (lambda r, n, b: _bits(r, n, b) - 1, "throws precision away"),
    (lambda r, n, b: _bits(r, n, b) + 40, "can wrap"),
    (lambda r, n, b: _bits(r, n, b) + 0.5, "not a whole number"),
    (lambda r, n, b: None, "returned None"),
])
def test_precision_bits_names_mistakes(answer, words):
    feedback = checks.check_precision_bits(answer)
    assert not feedback and words in feedback.message


def test_precision_bits_cannot_be_hard_coded():
    answers = {checks._largest_safe_bits(*case) for case in checks._precision_cases()}
    assert len(answers) > 2
    assert not checks.check_precision_bits(lambda r, n, b: 21)


@pytest.mark.parametrize("answer, words", [
    (lambda m, s, d: remove_dropped_masks(m, s, d, sign=lambda u, x: -1 if u < x else 1), "wrong sign"),
    (lambda m, s, d: remove_dropped_masks(m, s, d, sign=lambda u, x: 1), "same sign"),
    (lambda m, s, d: remove_dropped_masks(m, s, d, sign=lambda u, x: -1), "same sign"),
    (lambda m, s, d: remove_dropped_masks(m, s, d, modulus=False), "forgot the modulus"),
    (lambda m, s, d: m, "unchanged"),
    (lambda m, s, d: remove_dropped_masks(m, s[:-1], d), "not the survivors' sum"),
    (lambda m, s, d: m.astype(float), "integer array"),
])
def test_remove_dropped_masks_names_mistakes(answer, words):
    feedback = checks.check_remove_dropped_masks(answer)
    assert not feedback and words in feedback.message


@pytest.mark.parametrize("check", [checks.check_pairwise_mask, checks.check_precision_bits,
                                   checks.check_remove_dropped_masks])
def test_checks_refuse_a_non_function(check):
    with pytest.raises(TypeError):
        check(3)
