"""The exercise checks of notebook 07 accept right answers and say what is wrong with common mistakes."""

from __future__ import annotations

import math

from ppml_lab.exercises import homomorphic as ex


def not_implemented(*args):
    raise NotImplementedError


def test_weighted_sum_check():
    def right(ciphertexts, weights, n):
        return math.prod(pow(c, w, n * n) for c, w in zip(ciphertexts, weights)) % (n * n)

    assert ex.check_encrypted_weighted_sum(right).passed
    unweighted = ex.check_encrypted_weighted_sum(lambda cs, ws, n: math.prod(cs) % (n * n))
    assert not unweighted.passed and "weights are missing" in unweighted.message
    as_numbers = ex.check_encrypted_weighted_sum(lambda cs, ws, n: sum(c * w for c, w in zip(cs, ws)))
    assert not as_numbers.passed and "added ciphertexts" in as_numbers.message
    placeholder = ex.check_encrypted_weighted_sum(not_implemented)
    assert not placeholder.passed and "NotImplementedError" in placeholder.message


def test_factoring_check():
    def trial_division(n):
        divisor = 3
        while n % divisor:
            divisor += 2
        return divisor, n // divisor

    assert ex.check_factoring(trial_division).passed
    trivial = ex.check_factoring(lambda n: (1, n))
    assert not trivial.passed and "1 and n" in trivial.message
    assert not ex.check_factoring(lambda n: None).passed


def test_beaver_share_check():
    def right(i, a, b, c, d, e, prime):
        return (c + d * b + e * a + (d * e if i == 0 else 0)) % prime

    assert ex.check_beaver_share(right).passed
    everyone = ex.check_beaver_share(lambda i, a, b, c, d, e, p: (c + d * b + e * a + d * e) % p)
    assert not everyone.passed and "Only one party" in everyone.message
    nobody = ex.check_beaver_share(lambda i, a, b, c, d, e, p: (c + d * b + e * a) % p)
    assert not nobody.passed and "nobody added d*e" in nobody.message
    assert not ex.check_beaver_share(not_implemented).passed
