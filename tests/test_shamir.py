"""Tests for ppml_lab/shamir.py: recovery from any t shares, secrecy of fewer, tamper detection, validation."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from ppml_lab import shamir
from ppml_lab.shamir import PRIME, Share, TamperedShareError


def test_prime_is_prime():
    gmpy2 = pytest.importorskip("gmpy2")
    assert gmpy2.is_prime(PRIME) and PRIME == 2**31 - 1


@pytest.mark.parametrize("n_shares,threshold", [(5, 3), (7, 7), (4, 1), (10, 6)])
def test_every_threshold_subset_recovers_the_secret(n_shares, threshold):
    secret = np.array([0, 1, 42, PRIME - 1, 123_456_789])
    shares, commitment = shamir.split_secret(secret, n_shares, threshold, rng=3)
    for subset in itertools.combinations(shares, threshold):
        np.testing.assert_array_equal(shamir.reconstruct_secret(list(subset), threshold, commitment), secret)


def test_scalar_secret_and_os_randomness():
    shares, commitment = shamir.split_secret(2024, 5, 3)  # rng=None: OS CSPRNG
    assert shamir.reconstruct_secret(shares[2:], 3, commitment).tolist() == [2024]


def test_reconstruction_agrees_with_sympy_interpolation():
    """The from-scratch Lagrange interpolation against sympy's (over Q, then reduced mod p)."""
    sympy = pytest.importorskip("sympy")
    shares, _ = shamir.split_secret([987_654_321], 9, 5, rng=5)
    chosen = [shares[i] for i in (8, 1, 4, 6, 2)]
    x = sympy.Symbol("x")
    polynomial = sympy.interpolate([(s.index, int(s.values[0])) for s in chosen], x)
    at_zero = Fraction(str(polynomial.subs(x, 0)))
    expected = at_zero.numerator * pow(at_zero.denominator, -1, PRIME) % PRIME
    assert shamir.reconstruct_secret(chosen, 5)[0] == expected == 987_654_321


def test_lagrange_coefficients_reproduce_a_known_polynomial():
    coefficients = [7, 11, 13]  # f(x) = 7 + 11x + 13x^2
    xs = [2, 5, 9]
    ys = [sum(c * x**k for k, c in enumerate(coefficients)) % PRIME for x in xs]
    weights = shamir.lagrange_coefficients(xs, at=4)
    assert int(np.dot(weights.astype(object), ys) % PRIME) == (7 + 11 * 4 + 13 * 16)


def test_fewer_than_threshold_shares_look_uniform_whatever_the_secret():
    """With t = 3, two shares are uniform and independent of the secret: chi-square over 2,000 dealings
    (fixed seed, 20 bins, p > 0.001) for a secret of 0 and of p - 1, and the two samples agree (KS)."""
    rng = np.random.default_rng(0)
    samples = {}
    for secret in (0, PRIME - 1):
        values = []
        for _ in range(2000):
            shares, _ = shamir.split_secret(secret, 5, 3, rng=rng)
            values.append(int(shares[1].values[0]))
        samples[secret] = np.array(values)
        counts, _ = np.histogram(samples[secret], bins=20, range=(0, PRIME))
        assert stats.chisquare(counts).pvalue > 1e-3
    assert stats.ks_2samp(samples[0], samples[PRIME - 1]).pvalue > 1e-3


def test_tampered_share_is_refused_with_a_commitment():
    secret = shamir.bytes_to_field(bytes(range(32)))
    shares, commitment = shamir.split_secret(secret, 5, 3, rng=1)
    tampered = Share(shares[1].index, (shares[1].values + 1) % PRIME)
    with pytest.raises(TamperedShareError, match="does not match the dealer's commitment"):
        shamir.reconstruct_secret([shares[0], tampered, shares[2]], 3, commitment)
    # without the commitment, exactly t shares cannot reveal the tampering: a wrong secret comes out
    wrong = shamir.reconstruct_secret([shares[0], tampered, shares[2]], 3)
    assert not np.array_equal(wrong, secret)


def test_extra_shares_catch_tampering_without_a_commitment():
    shares, _ = shamir.split_secret([5, 6], 6, 3, rng=2)
    tampered = Share(shares[4].index, (shares[4].values * 2 + 1) % PRIME)
    with pytest.raises(TamperedShareError, match="does not lie on the polynomial"):
        shamir.reconstruct_secret(shares[:4] + [tampered], 3)
    assert shamir.reconstruct_secret(shares, 3).tolist() == [5, 6]


def test_share_from_another_sharing_is_refused():
    first, commitment = shamir.split_secret(99, 4, 2, rng=1)
    second, _ = shamir.split_secret(99, 4, 2, rng=2)
    with pytest.raises(TamperedShareError):
        shamir.reconstruct_secret([first[0], second[1]], 2, commitment)


def test_bytes_round_trip():
    data = bytes(np.random.default_rng(4).integers(0, 256, 32, dtype=np.uint8))
    assert shamir.field_to_bytes(shamir.bytes_to_field(data)) == data
    share = Share(7, np.array([1, PRIME - 1, 3], dtype=np.int64))
    again = Share.from_bytes(share.to_bytes())
    assert again.index == 7 and again.values.tolist() == share.values.tolist()
    with pytest.raises(TamperedShareError):
        shamir.field_to_bytes(np.array([2**16]))


def test_seeded_sharing_is_reproducible():
    a, ca = shamir.split_secret(1, 4, 2, rng=10)
    b, cb = shamir.split_secret(1, 4, 2, rng=10)
    assert [s.values.tolist() for s in a] == [s.values.tolist() for s in b] and ca == cb


@pytest.mark.parametrize("kwargs,match", [
    ({"n_shares": 3, "threshold": 4}, "threshold must be in"),
    ({"n_shares": 3, "threshold": 0}, "threshold"),
    ({"n_shares": 0, "threshold": 1}, "n_shares"),
    ({"n_shares": 3, "threshold": 2.5}, "threshold"),
])
def test_bad_sharing_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        shamir.split_secret(5, **kwargs)


@pytest.mark.parametrize("secret", [-1, PRIME, [1.5], [], [[1, 2]]])
def test_secret_outside_the_field_raises(secret):
    with pytest.raises(ValueError, match="secret"):
        shamir.split_secret(secret, 3, 2)


def test_bad_reconstruction_inputs_raise():
    shares, commitment = shamir.split_secret(5, 4, 3, rng=0)
    with pytest.raises(ValueError, match="at least threshold=3"):
        shamir.reconstruct_secret(shares[:2], 3)
    with pytest.raises(ValueError, match="distinct"):
        shamir.reconstruct_secret([shares[0], shares[0], shares[1]], 3)
    with pytest.raises(ValueError, match="commitment"):
        shamir.reconstruct_secret(shares, 2, commitment)
