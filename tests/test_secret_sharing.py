"""Additive secret sharing: uniform shares, correct protocols, refusals."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ppml_lab import secret_sharing as ss

LAWS = settings(max_examples=60, deadline=None)
values = st.integers(-10**15, 10**15)
parties = st.integers(2, 6)
SMALL_PRIME = 11
# Stated tolerance for the uniformity tests: reject uniformity only below this chi-square p-value.
ALPHA = 1e-3


def joint_counts(samples: np.ndarray, columns: tuple[int, ...], prime: int) -> np.ndarray:
    """Counts of each combination of the chosen parties' shares (prime ** len(columns) cells)."""
    cells = np.zeros(prime ** len(columns), dtype=int)
    index = np.zeros(len(samples), dtype=int)
    for column in columns:
        index = index * prime + samples[:, column]
    np.add.at(cells, index, 1)
    return cells


def sharings(secret: int, n_parties: int, n_samples: int, seed: int, prime: int = SMALL_PRIME) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([ss.share(secret, n_parties, prime, rng) for _ in range(n_samples)])


def test_any_n_minus_1_shares_are_uniform_whatever_the_secret():
    """Over Z_11 with 3 parties, each pair of shares is uniform on the 121 cells (chi-square, fixed seed),
    for secret 0 and secret -4 alike; all 3 shares together are not (they sum to the secret)."""
    n_parties, n_samples = 3, 12_100
    for secret, seed in ((0, 1), (-4, 2)):
        samples = sharings(secret, n_parties, n_samples, seed)
        assert np.all(samples.sum(axis=1) % SMALL_PRIME == secret % SMALL_PRIME)
        for subset in itertools.combinations(range(n_parties), n_parties - 1):
            p_value = stats.chisquare(joint_counts(samples, subset, SMALL_PRIME)).pvalue
            assert p_value > ALPHA, (secret, subset, p_value)


def test_the_views_for_two_secrets_are_indistinguishable():
    counts = [joint_counts(sharings(secret, 3, 12_100, seed), (0, 2), SMALL_PRIME)
              for secret, seed in ((1, 3), (-5, 4))]
    assert stats.chi2_contingency(np.array(counts)).pvalue > ALPHA


def test_the_uniformity_test_catches_a_biased_sharer():
    """Negative control: shares drawn from half of the field fail the same test."""
    rng = np.random.default_rng(5)
    first = rng.integers(0, SMALL_PRIME // 2, size=(12_100, 1))
    biased = np.hstack([first, rng.integers(0, SMALL_PRIME, size=(12_100, 1))])
    assert stats.chisquare(joint_counts(biased, (0, 1), SMALL_PRIME)).pvalue < ALPHA


def test_shares_in_the_default_field_are_uniform_in_their_top_bits():
    rng = np.random.default_rng(6)
    top = np.array([ss.share(123, 4, rng=rng)[1] >> 123 for _ in range(4_000)])  # 16 buckets of 2**123
    assert stats.chisquare(np.bincount(top, minlength=16)).pvalue > ALPHA


@LAWS
@given(values, parties)
def test_reconstruct_inverts_share(secret, n_parties):
    shares = ss.share(secret, n_parties)
    assert len(shares) == n_parties and all(0 <= s < ss.DEFAULT_PRIME for s in shares)
    assert ss.reconstruct(shares) == secret


def test_a_seed_makes_shares_reproducible_and_no_seed_makes_them_fresh():
    assert ss.share(5, 3, rng=7) == ss.share(5, 3, rng=7)
    assert ss.share(5, 3) != ss.share(5, 3)


@LAWS
@given(values, values, st.integers(-10**6, 10**6), parties)
def test_local_operations_compute_sums_and_public_multiples(x, y, k, n_parties):
    sx, sy = ss.share(x, n_parties), ss.share(y, n_parties)
    assert ss.reconstruct(ss.add_shares(sx, sy)) == x + y
    assert ss.reconstruct(ss.add_public(sx, k)) == x + k
    assert ss.reconstruct(ss.multiply_public(sx, k)) == k * x


@LAWS
@given(values, values, parties)
def test_beaver_multiplication_computes_the_product(x, y, n_parties):
    triple = ss.deal_beaver_triple(n_parties)
    prime = ss.DEFAULT_PRIME
    assert sum(triple.c) % prime == (sum(triple.a) % prime) * (sum(triple.b) % prime) % prime
    product = ss.multiply_shares(ss.share(x, n_parties), ss.share(y, n_parties), triple)
    assert ss.reconstruct(product) == x * y


def test_the_opened_masked_values_reveal_nothing_about_the_inputs():
    """d = x - a is uniform for a fixed x: over Z_11 its histogram passes a chi-square test."""
    rng = np.random.default_rng(8)
    x, y = ss.share(3, 3, SMALL_PRIME, rng), ss.share(5, 3, SMALL_PRIME, rng)
    opened = np.array([ss.open_masked_differences(x, y, ss.deal_beaver_triple(3, SMALL_PRIME, rng), SMALL_PRIME)
                       for _ in range(5_500)])
    for column in (0, 1):
        assert stats.chisquare(np.bincount(opened[:, column], minlength=SMALL_PRIME)).pvalue > ALPHA


def test_refusals_name_the_parameter_and_the_range():
    with pytest.raises(ValueError, match="n_parties must be an integer >= 2"):
        ss.share(1, 1)
    with pytest.raises(ValueError, match="prime must be a prime number"):
        ss.share(1, 3, prime=15)
    with pytest.raises(ValueError, match=r"secret must be in \[-5, 5\]"):
        ss.share(6, 3, prime=SMALL_PRIME)
    with pytest.raises(ValueError, match="secret must be an integer"):
        ss.share(1.5, 3)
    with pytest.raises(ValueError, match="one share per party"):
        ss.add_shares(ss.share(1, 3), ss.share(1, 4))
    with pytest.raises(ValueError, match="shares must be integers in"):
        ss.reconstruct((1, -2, 3))


def test_benchmark_reports_positive_rates():
    table = ss.benchmark(n_parties=3, n_ops=20)
    assert (table[["share", "add", "reconstruct", "deal_triple", "multiply"]] > 0).all().all()


@pytest.mark.parametrize("composite", [341, 561, 1105, 2047, 3215031751])
def test_pseudoprimes_are_not_accepted_as_the_prime(composite):
    """341 = 11*31 passes a base-2 Fermat test; 561 is a Carmichael number; 2047 and 3215031751 are strong
    pseudoprimes to small bases. GMP's BPSW + Miller-Rabin test refuses them all."""
    with pytest.raises(ValueError, match="prime must be a prime number"):
        ss.share(1, 3, prime=composite)


def test_a_beaver_triple_is_refused_the_second_time():
    """Reusing a triple publishes d = x - a and d' = x' - a, whose difference is x - x'."""
    rng = np.random.default_rng(9)
    x, x2, y = ss.share(1000, 3, rng=rng), ss.share(1234, 3, rng=rng), ss.share(7, 3, rng=rng)
    triple = ss.deal_beaver_triple(3, rng=rng)
    d, _ = ss.open_masked_differences(x, y, triple)
    assert triple.used
    with pytest.raises(ValueError, match="triple was already used"):
        ss.multiply_shares(x2, y, triple)
    with pytest.raises(ValueError, match="triple was already used"):
        ss.open_masked_differences(x2, y, triple)
    # what the refusal prevents: the second opening would have revealed x - x'
    unused = ss.BeaverTriple(triple.a, triple.b, triple.c)
    d2, _ = ss.open_masked_differences(x2, y, unused)
    assert (d - d2) % ss.DEFAULT_PRIME == (1000 - 1234) % ss.DEFAULT_PRIME


def test_multiply_is_open_then_local_product():
    rng = np.random.default_rng(10)
    x, y = ss.share(-21, 4, rng=rng), ss.share(5, 4, rng=rng)
    triple = ss.deal_beaver_triple(4, rng=rng)
    d, e = ss.open_masked_differences(x, y, triple)
    assert ss.reconstruct(ss.local_product_shares(triple, d, e)) == -105
    with pytest.raises(ValueError, match="d must be an integer in"):
        ss.local_product_shares(triple, -1, e)
