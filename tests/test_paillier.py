"""The teaching Paillier cryptosystem: homomorphic laws, refusals, and agreement with python-paillier (phe)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phe import paillier as phe_paillier

from ppml_lab import paillier

# Toy keys keep the property tests fast; one 2048-bit round trip below checks the real size.
SMALL_PUBLIC, SMALL_PRIVATE = paillier.generate_keypair(128, "toy", rng=11)
FLOAT_PUBLIC, FLOAT_PRIVATE = paillier.generate_keypair(256, "toy", rng=12)
FLOAT_BITS = 16
LAWS = settings(max_examples=40, deadline=None)
small_ints = st.integers(-10**12, 10**12)
scalars = st.integers(-10**6, 10**6)
floats = st.floats(-1e6, 1e6, allow_nan=False)


def enc(value, public_key=SMALL_PUBLIC, **kwargs):
    return paillier.encrypt(public_key, value, **kwargs)


def dec(ciphertext, private_key=SMALL_PRIVATE):
    return paillier.decrypt(private_key, ciphertext)


# ----------------------------------------------------------------------------- key generation

def test_toy_keys_have_the_requested_size_and_are_reproducible_from_a_seed():
    public, private = paillier.generate_keypair(64, "toy", rng=3)
    assert public.bits == 64 and private.p != private.q and private.p * private.q == public.n
    assert all(math.gcd(public.n, k) == 1 for k in ((private.p - 1) * (private.q - 1),))
    assert paillier.generate_keypair(64, "toy", rng=3)[0] == public
    assert paillier.generate_keypair(64, "toy", rng=4)[0] != public


def test_random_prime_is_a_prime_of_exactly_the_requested_bits():
    import gmpy2

    for bits in (8, 64, 256):
        prime = paillier.random_prime(bits, rng=bits)
        assert prime.bit_length() == bits and gmpy2.is_prime(prime, 50)


def test_real_mode_refuses_keys_below_the_stated_minimum():
    assert paillier.MIN_REAL_KEY_BITS == 2048
    with pytest.raises(ValueError, match=r"n_bits must be an integer >= 2048, got 1024"):
        paillier.generate_keypair(1024, "real")


def test_real_mode_refuses_a_seeded_rng_and_toy_mode_refuses_real_sizes():
    with pytest.raises(ValueError, match="rng must be None in real mode"):
        paillier.generate_keypair(2048, "real", rng=0)
    with pytest.raises(ValueError, match=r"n_bits must be in \[16, 2048\) in toy mode"):
        paillier.generate_keypair(2048, "toy", rng=0)
    with pytest.raises(ValueError, match="n_bits must be even"):
        paillier.generate_keypair(63, "toy", rng=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        paillier.generate_keypair(64, "weak")


def test_private_key_repr_does_not_leak_the_factors():
    assert str(SMALL_PRIVATE.p) not in repr(SMALL_PRIVATE)


def test_a_2048_bit_real_key_round_trips_integers_negatives_and_floats():
    public, private = paillier.generate_keypair(2048)
    assert public.bits == 2048 and public.mode == "real"
    a, b, x = enc(123456789, public), enc(-987654321, public), enc(-3.14159, public)
    assert dec(a + b, private) == 123456789 - 987654321
    assert dec(a * -7, private) == -7 * 123456789
    assert dec(x * 2.5 + 1, private) == pytest.approx(-3.14159 * 2.5 + 1, abs=1e-9)
    with pytest.raises(ValueError, match="rng must be None in real mode"):
        paillier.encrypt(public, 1, rng=0)


# ----------------------------------------------------------------------------- encryption

def test_two_encryptions_of_the_same_value_differ_but_decrypt_alike():
    c1, c2 = enc(42), enc(42)
    assert c1.value != c2.value and dec(c1) == dec(c2) == 42
    seeded1, seeded2 = enc(42, rng=1), enc(42, rng=2)
    assert seeded1.value != seeded2.value
    assert enc(42, rng=1).value == seeded1.value  # a seed (toy keys only) makes a lesson reproducible


def test_rerandomize_changes_the_ciphertext_not_the_plaintext():
    c = enc(-5)
    fresh = paillier.rerandomize(c)
    assert fresh.value != c.value and dec(fresh) == -5


def test_crt_and_textbook_decryption_agree():
    for value in (0, 1, -1, SMALL_PUBLIC.max_int, -SMALL_PUBLIC.max_int, 10**9):
        c = enc(value)
        assert paillier.decrypt(SMALL_PRIVATE, c, use_crt=True) == paillier.decrypt(SMALL_PRIVATE, c, use_crt=False)


def test_refuses_a_plaintext_outside_the_message_space():
    limit = SMALL_PUBLIC.max_int
    assert dec(enc(limit)) == limit and dec(enc(-limit)) == -limit
    with pytest.raises(ValueError, match="outside the message space"):
        enc(limit + 1)
    with pytest.raises(ValueError, match="outside the message space"):
        enc(-limit - 1)
    with pytest.raises(ValueError, match="outside the message space"):
        enc(1e300, FLOAT_PUBLIC)
    with pytest.raises(ValueError, match="must be finite"):
        enc(float("nan"))
    with pytest.raises(ValueError, match="must be an int or a float"):
        enc("7")


def test_refuses_a_ciphertext_from_another_key():
    other_public, other_private = paillier.generate_keypair(128, "toy", rng=99)
    foreign = enc(5, other_public)
    with pytest.raises(ValueError, match="encrypted under another key"):
        dec(foreign)
    with pytest.raises(ValueError, match="encrypted under another key"):
        paillier.add(enc(1), foreign)
    assert dec(foreign, other_private) == 5


def test_an_overflowing_computation_is_detected_at_decryption():
    big = enc(SMALL_PUBLIC.max_int)
    with pytest.raises(OverflowError, match="overflowed"):
        dec(big + big)


# ----------------------------------------------------------------------------- homomorphic laws (Hypothesis)

@LAWS
@given(small_ints, small_ints)
def test_adding_ciphertexts_adds_plaintexts(a, b):
    assert dec(enc(a) + enc(b)) == a + b


@LAWS
@given(small_ints, small_ints)
def test_adding_a_plaintext(a, b):
    assert dec(enc(a) + b) == a + b
    assert dec(enc(a) - b) == a - b


@LAWS
@given(small_ints, scalars)
def test_multiplying_by_a_plaintext_scalar(a, k):
    assert dec(enc(a) * k) == k * a
    assert dec(k * enc(a)) == k * a
    assert dec(-enc(a)) == -a


@LAWS
@given(small_ints, small_ints, small_ints, scalars)
def test_addition_is_commutative_associative_and_scalars_distribute(a, b, c, k):
    ca, cb, cc = enc(a), enc(b), enc(c)
    assert dec(ca + cb) == dec(cb + ca)
    assert dec((ca + cb) + cc) == dec(ca + (cb + cc)) == a + b + c
    assert dec((ca + cb) * k) == dec(ca * k + cb * k) == k * (a + b)


@LAWS
@given(floats, floats)
def test_fixed_point_floats_add_and_scale(x, y):
    step = 2.0**-FLOAT_BITS
    cx = enc(x, FLOAT_PUBLIC, fractional_bits=FLOAT_BITS)
    cy = enc(y, FLOAT_PUBLIC, fractional_bits=FLOAT_BITS)
    assert abs(dec(cx, FLOAT_PRIVATE) - x) <= step / 2
    assert abs(dec(cx + cy, FLOAT_PRIVATE) - (x + y)) <= step
    assert abs(dec(cx * 3, FLOAT_PRIVATE) - 3 * x) <= 3 * step / 2


@LAWS
@given(st.integers(-10**15, 10**15), st.integers(0, 20))
def test_encode_decode_round_trip(value, bits):
    encoded = paillier.encode(FLOAT_PUBLIC, value, bits)
    assert 0 <= encoded < FLOAT_PUBLIC.n
    assert paillier.decode(FLOAT_PUBLIC, encoded, bits) == value


# ----------------------------------------------------------------------------- against python-paillier

@pytest.fixture(scope="module")
def both_keys():
    """A phe key and a teaching key of the same size (512 bits: fast, and both schemes alike)."""
    return phe_paillier.generate_paillier_keypair(n_length=512), paillier.generate_keypair(512, "toy", rng=5)


def test_same_sums_scalar_products_negatives_and_floats_as_phe(both_keys):
    (phe_public, phe_private), (public, private) = both_keys
    rng = np.random.default_rng(2024)
    for _ in range(15):
        a, b = (int(v) for v in rng.integers(-10**15, 10**15, size=2))
        k = int(rng.integers(-10**4, 10**4))
        x, y = (float(v) for v in rng.normal(0, 1000, size=2))
        w = float(rng.normal(0, 3))
        phe_a, phe_b, phe_x, phe_y = (phe_public.encrypt(v) for v in (a, b, x, y))
        ta, tb, tx, ty = (paillier.encrypt(public, v) for v in (a, b, x, y))
        # integers, including negatives: exactly equal
        assert paillier.decrypt(private, ta + tb) == phe_private.decrypt(phe_a + phe_b) == a + b
        assert paillier.decrypt(private, ta * k) == phe_private.decrypt(phe_a * k) == a * k
        assert paillier.decrypt(private, ta + b) == phe_private.decrypt(phe_a + b) == a + b
        # fixed-point floats (2**-32 steps) against phe's floating exponents: equal within 1e-6
        assert paillier.decrypt(private, tx + ty) == pytest.approx(phe_private.decrypt(phe_x + phe_y), abs=1e-6)
        assert paillier.decrypt(private, tx * w) == pytest.approx(phe_private.decrypt(phe_x * w), abs=1e-6)
        assert paillier.decrypt(private, tx + w) == pytest.approx(phe_private.decrypt(phe_x + w), abs=1e-6)


def test_same_ciphertext_format_as_phe_both_ways(both_keys):
    """Both use g = n + 1, so each library decrypts the other's raw ciphertexts under the same key."""
    (phe_public, phe_private), _ = both_keys
    public = paillier.PublicKey(phe_public.n, mode="toy")
    private = paillier.private_key_from_factors(public, phe_private.p, phe_private.q)
    for value in (0, 17, -17, 10**30):
        theirs = phe_public.encrypt(value)
        assert paillier.decrypt(private, paillier.Ciphertext(theirs.ciphertext(), public)) == value
        ours = paillier.encrypt(public, value)
        assert phe_private.decrypt(phe_paillier.EncryptedNumber(phe_public, int(ours.value))) == value


# ----------------------------------------------------------------------------- attack and costs

def test_a_toy_key_is_broken_by_factoring_its_public_modulus():
    public, private = paillier.generate_keypair(40, "toy", rng=8)
    p, q, iterations = paillier.factor_modulus(public.n)
    assert {p, q} == {private.p, private.q} and iterations > 0
    stolen = paillier.break_toy_key(public)
    assert paillier.decrypt(stolen, paillier.encrypt(public, 271828)) == 271828
    with pytest.raises(ValueError, match="p and q must be factors"):
        paillier.private_key_from_factors(public, p, q + 2)


def test_expansion_factor_and_benchmark():
    assert paillier.expansion_factor(2048) == 64.0 and paillier.expansion_factor(2048, 2048) == 2.0
    table = paillier.benchmark(256, n_keys=1, n_ops=3)
    assert list(table["implementation"]) == ["teaching", "phe"]
    assert (table[["keygen", "encrypt", "add", "decrypt"]] > 0).all().all()
    with pytest.raises(ValueError, match="implementations must be drawn from"):
        paillier.benchmark(256, implementations=("seal",))


# ----------------------------------------------------------------------------- refusing what is no ciphertext

@pytest.mark.parametrize("value", [0, -5, "n_square", "n_square_plus"])
def test_a_ciphertext_value_outside_1_to_n_squared_is_refused(value):
    n_square = int(SMALL_PUBLIC.n_square)
    value = {"n_square": n_square, "n_square_plus": n_square + 7}.get(value, value)
    with pytest.raises(ValueError, match=r"value must be an integer in \[1, n\*\*2\)"):
        paillier.Ciphertext(value, SMALL_PUBLIC)


def test_decrypt_refuses_a_value_not_coprime_with_n():
    """c = p (or any multiple of p or q) is in [1, n**2) but not in Z*_{n^2}: it encrypts nothing."""
    for value in (SMALL_PRIVATE.p, SMALL_PRIVATE.q * 12345, SMALL_PUBLIC.n):
        with pytest.raises(ValueError, match=r"ciphertext must be in Z\*_\{n\^2\}"):
            dec(paillier.Ciphertext(value, SMALL_PUBLIC))
        with pytest.raises(ValueError, match=r"ciphertext must be in Z\*_\{n\^2\}"):
            paillier.decrypt(SMALL_PRIVATE, paillier.Ciphertext(value, SMALL_PUBLIC), use_crt=False)


def test_a_private_key_must_hold_the_two_primes_of_n():
    with pytest.raises(ValueError, match="p and q must be two distinct primes"):
        paillier.PrivateKey(SMALL_PUBLIC, SMALL_PRIVATE.p, SMALL_PRIVATE.q + 2)
    with pytest.raises(ValueError, match="n must be odd"):
        paillier.PublicKey(2**20, mode="toy")
    with pytest.raises(ValueError, match="n must have at least 2048 bits in real mode"):
        paillier.PublicKey(SMALL_PUBLIC.n, mode="real")


def test_key_size_costs_reads_milliseconds_from_the_benchmark_table():
    import pandas as pd

    timings = pd.DataFrame([{"implementation": name, "n_bits": 512, "keygen": 10.0, "encrypt": 100.0,
                             "add": 1e5, "decrypt": 200.0} for name in ("teaching", "phe")])
    costs = paillier.key_size_costs(timings, 512)
    assert costs["ms"]["phe"] == {"keygen": 100.0, "encrypt": 10.0, "add": 0.01, "decrypt": 5.0}
    assert costs["expansion"] == 16.0
    with pytest.raises(ValueError, match=r"n_bits \(one of the benchmarked key sizes\) must be one of \[512\]"):
        paillier.key_size_costs(timings, 1024)


def test_factoring_steps_grow_like_sqrt_p():
    table = paillier.factoring_steps([24, 32, 40, 48], n_keys=3)
    assert list(table["n_bits"]) == [24, 32, 40, 48] and (table["mean_steps"] > 0).all()
    assert list(table["log2_predicted"]) == [6, 8, 10, 12]
    assert 2 < paillier.work_growth(table) < 8  # sqrt(p) predicts 4 per 8 bits
    assert paillier.factoring_steps([24], n_keys=2).equals(paillier.factoring_steps([24], n_keys=2))  # seeded
    with pytest.raises(ValueError, match="bit_sizes must be a non-empty list of even sizes"):
        paillier.factoring_steps([25])


def test_speed_ratio_and_powmod_seconds():
    import pandas as pd

    timings = pd.DataFrame([{"implementation": name, "n_bits": 512, "keygen": rate, "encrypt": rate,
                             "add": rate, "decrypt": rate} for name, rate in (("teaching", 20.0), ("phe", 10.0))])
    assert (paillier.speed_ratio(timings) == 2.0).all().all()
    with pytest.raises(ValueError, match="timings must hold both implementations"):
        paillier.speed_ratio(timings[timings.implementation == "phe"])
    seconds = paillier.powmod_seconds(512, n_bases=2)
    assert set(seconds) == {"Python pow", "gmpy2.powmod"} and all(s > 0 for s in seconds.values())
