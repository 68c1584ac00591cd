"""A teaching Paillier cryptosystem: add numbers that nobody but the key holder can read.

Taught in ``notebooks/07_homomorphic_encryption.ipynb``; follows Paillier (EUROCRYPT 1999), with
g = n + 1 and CRT decryption as in python-paillier (``phe``), which ``tests/test_paillier.py``
checks it against. Two modes of key generation:

* ``mode="toy"``: n of 16 to 2046 bits, primes drawn from a seedable NumPy generator. Fine for a
  lesson (the lesson factors a toy key to break it); never for data: anyone with the seed has the key.
* ``mode="real"``: n of at least :data:`MIN_REAL_KEY_BITS` bits, randomness only from the OS
  (``secrets``); an ``rng`` is refused, for keys and for encryption.

Where ``gmpy2`` (GMP) helps: the cost of Paillier is modular exponentiation of 2048-to-4096-bit
numbers (``r**n mod n**2`` in every encryption, ``c**(p-1) mod p**2`` in decryption), and
``gmpy2.powmod`` does it several times faster than Python's ``pow``; ``gmpy2.next_prime`` (GMP's
sieve plus probable-prime tests) makes key generation take a fraction of a second. Additions are
single multiplications mod n**2, cheap either way.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Integral, Real

import gmpy2
import numpy as np
import pandas as pd

from .validation import ParameterTypeError, check_one_of, check_positive_int

__all__ = [
    "MIN_REAL_KEY_BITS", "MIN_TOY_KEY_BITS", "DEFAULT_FRACTIONAL_BITS",
    "PublicKey", "PrivateKey", "Ciphertext",
    "random_prime", "generate_keypair", "private_key_from_factors",
    "encode", "decode", "encrypt", "decrypt", "rerandomize",
    "add", "add_plain", "multiply_plain",
    "factor_modulus", "break_toy_key", "factoring_steps", "work_growth", "expansion_factor",
    "benchmark", "speed_ratio", "powmod_seconds", "key_size_costs",
]

#: Smallest modulus accepted in real mode: 2048 bits, ~112-bit security (NIST SP 800-57 Part 1, Table 2).
MIN_REAL_KEY_BITS = 2048
#: Smallest toy modulus: two 8-bit primes, so that two distinct primes of equal length exist.
MIN_TOY_KEY_BITS = 16
#: Fixed-point precision of floats: x is stored as round(x * 2**32), an error of at most 2**-33.
DEFAULT_FRACTIONAL_BITS = 32
MODES = ("toy", "real")


# ----------------------------------------------------------------------------- keys

@dataclass(frozen=True)
class PublicKey:
    """The public modulus n = p * q; anyone can encrypt and compute on ciphertexts with it."""

    n: int
    mode: str = "real"
    n_square: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = check_positive_int(self.n, "n", minimum=2**(MIN_TOY_KEY_BITS - 1))
        check_one_of(self.mode, MODES, "mode")
        if n % 2 == 0:
            raise ValueError(f"n must be odd (a product of two odd primes), got {n}")
        if self.mode == "real" and n.bit_length() < MIN_REAL_KEY_BITS:
            raise ValueError(f"n must have at least {MIN_REAL_KEY_BITS} bits in real mode, got {n.bit_length()} bits")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "n_square", gmpy2.mpz(n) ** 2)  # GMP integer: faster products mod n**2

    @property
    def g(self) -> int:
        """The generator; g = n + 1 makes g**m mod n**2 = 1 + m*n, so encryption needs no g**m."""
        return self.n + 1

    @property
    def bits(self) -> int:
        return self.n.bit_length()

    @property
    def max_int(self) -> int:
        """Largest |m| of a signed plaintext: Z_n is split into [0, n/3] (positive), [2n/3, n) (negative)
        and a gap in between that reveals an overflow at decryption (the same split as ``phe``)."""
        return self.n // 3 - 1


@dataclass(frozen=True, repr=False)
class PrivateKey:
    """The factors p, q of n, and the constants that make CRT decryption fast."""

    public_key: PublicKey
    p: int
    q: int

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, PublicKey):
            raise ParameterTypeError(f"public_key must be a PublicKey, got {type(self.public_key).__name__}")
        p, q = check_positive_int(self.p, "p", minimum=3), check_positive_int(self.q, "q", minimum=3)
        n = self.public_key.n
        if p * q != n or p == q or not (gmpy2.is_prime(p) and gmpy2.is_prime(q)):
            raise ValueError(f"p and q must be two distinct primes with p*q = n; got p={p}, q={q} "
                             f"for a {self.public_key.bits}-bit n")
        lam = math.lcm(p - 1, q - 1)  # Carmichael's function lambda(n)
        constants = {
            "lam": lam,
            "mu": int(gmpy2.invert(lam, n)),  # with g = n + 1, mu = lambda**-1 mod n
            "p_square": p * p, "q_square": q * q,
            # h_p = L_p(g**(p-1) mod p**2)**-1 mod p (Paillier 1999, section 7, "decryption using CRT")
            "h_p": int(gmpy2.invert((int(gmpy2.powmod(n + 1, p - 1, p * p)) - 1) // p, p)),
            "h_q": int(gmpy2.invert((int(gmpy2.powmod(n + 1, q - 1, q * q)) - 1) // q, q)),
            "p_inverse": int(gmpy2.invert(p, q)),
        }
        for name, value in constants.items():
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:  # never print the factors by accident
        return f"PrivateKey(<{self.public_key.bits}-bit, {self.public_key.mode} mode>)"


def _random_bits(bits: int, rng: np.random.Generator | None) -> int:
    """A uniform integer of ``bits`` bits: from the OS if ``rng`` is None, else from ``rng``."""
    if rng is None:
        return secrets.randbits(bits)
    raw = int.from_bytes(rng.bytes((bits + 7) // 8), "big")
    return raw >> (8 * ((bits + 7) // 8) - bits)


def _random_below(upper: int, rng: np.random.Generator | None) -> int:
    """A uniform integer in [0, upper) (rejection sampling when drawn from ``rng``)."""
    if rng is None:
        return secrets.randbelow(upper)
    while True:
        candidate = _random_bits(upper.bit_length(), rng)
        if candidate < upper:
            return candidate


def _check_rng(rng: np.random.Generator | int | None, mode: str) -> np.random.Generator | None:
    if rng is None:
        return None
    if mode == "real":
        raise ValueError("rng must be None in real mode (randomness comes from the OS via `secrets`, "
                         "because a seeded generator lets anyone with the seed recompute it); "
                         f"got {rng!r}. Pass an rng only with mode='toy' keys")
    from .seeding import crypto_rng

    return crypto_rng(rng)


def random_prime(bits: int, rng: np.random.Generator | int | None = None) -> int:
    """A random prime of exactly ``bits`` bits with its top two bits set (so p*q has 2*bits bits).

    Draws a random odd number and takes the next prime after it (``gmpy2.next_prime``: GMP's
    sieve, then Baillie-PSW and Miller-Rabin probable-prime tests), as ``phe`` does.
    """
    bits = check_positive_int(bits, "bits", minimum=4)
    generator = None if rng is None else _check_rng(rng, "toy")
    while True:
        candidate = _random_bits(bits, generator) | (0b11 << (bits - 2)) | 1
        prime = gmpy2.next_prime(candidate)
        if prime.bit_length() == bits and gmpy2.is_bpsw_prp(prime):
            return int(prime)


def generate_keypair(n_bits: int = MIN_REAL_KEY_BITS, mode: str = "real",
                     rng: np.random.Generator | int | None = None) -> tuple[PublicKey, PrivateKey]:
    """A Paillier key pair with an ``n_bits``-bit modulus n = p*q (p, q distinct primes of n_bits/2 bits).

    ``mode="real"`` refuses ``n_bits < MIN_REAL_KEY_BITS`` and any ``rng``; ``mode="toy"`` takes
    16 <= n_bits < MIN_REAL_KEY_BITS and an optional seed, for reproducible lessons.
    """
    check_one_of(mode, MODES, "mode")
    if mode == "real":
        n_bits = check_positive_int(n_bits, "n_bits", minimum=MIN_REAL_KEY_BITS)
    else:
        n_bits = check_positive_int(n_bits, "n_bits", minimum=MIN_TOY_KEY_BITS)
        if n_bits >= MIN_REAL_KEY_BITS:
            raise ValueError(f"n_bits must be in [{MIN_TOY_KEY_BITS}, {MIN_REAL_KEY_BITS}) in toy mode, "
                             f"got {n_bits}; use mode='real' for keys of {MIN_REAL_KEY_BITS} bits or more")
    if n_bits % 2:
        raise ValueError(f"n_bits must be even (two primes of n_bits/2 bits), got {n_bits}")
    generator = _check_rng(rng, mode)
    p = random_prime(n_bits // 2, generator)
    q = p
    while q == p:
        q = random_prime(n_bits // 2, generator)
    public_key = PublicKey(p * q, mode)
    return public_key, PrivateKey(public_key, p, q)


def private_key_from_factors(public_key: PublicKey, p: int, q: int) -> PrivateKey:
    """Rebuild the private key from the factors of n: all an attacker who factors n needs."""
    _check_public_key(public_key)
    p, q = check_positive_int(p, "p", minimum=2), check_positive_int(q, "q", minimum=2)
    if p * q != public_key.n:
        raise ValueError(f"p and q must be factors > 1 of n with p*q = n; got p={p}, q={q} for n={public_key.n}")
    return PrivateKey(public_key, p, q)


def _check_public_key(public_key: PublicKey, name: str = "public_key") -> None:
    if not isinstance(public_key, PublicKey):
        raise ParameterTypeError(f"{name} must be a paillier.PublicKey, got {type(public_key).__name__}")


def _check_private_key(private_key: PrivateKey) -> None:
    if not isinstance(private_key, PrivateKey):
        raise ParameterTypeError(f"private_key must be a paillier.PrivateKey, got {type(private_key).__name__}")


# ----------------------------------------------------------------------------- encoding

def encode(public_key: PublicKey, value: int | float, fractional_bits: int = 0) -> int:
    """Map a signed integer or a float to Z_n: round(value * 2**fractional_bits), negatives as n - |m|.

    Refuses a value whose encoding falls outside [-max_int, max_int] (the message space).
    """
    _check_public_key(public_key)
    fractional_bits = check_positive_int(fractional_bits, "fractional_bits", minimum=0)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ParameterTypeError(f"value must be an int or a float, got {type(value).__name__}")
    if isinstance(value, Integral):
        scaled = int(value) << fractional_bits
    else:
        if not math.isfinite(value):
            raise ValueError(f"value must be finite, got {value!r}")
        scaled = round(Fraction(float(value)) * 2**fractional_bits)  # exact: no float overflow
    if abs(scaled) > public_key.max_int:
        limit = public_key.max_int / 2**fractional_bits
        raise ValueError(f"value {value!r} is outside the message space of this {public_key.bits}-bit key: "
                         f"|value| must be <= {limit:.6g} with {fractional_bits} fractional bits")
    return scaled % public_key.n


def decode(public_key: PublicKey, encoded: int, fractional_bits: int = 0) -> int | float:
    """Inverse of :func:`encode`; raises ``OverflowError`` if the value fell into the overflow gap."""
    _check_public_key(public_key)
    fractional_bits = check_positive_int(fractional_bits, "fractional_bits", minimum=0)
    n, max_int = public_key.n, public_key.max_int
    if isinstance(encoded, bool) or not isinstance(encoded, Integral):
        raise ParameterTypeError(f"encoded must be an integer in [0, n), got {type(encoded).__name__}")
    if not 0 <= encoded < n:
        raise ValueError(f"encoded must be an integer in [0, n) for this {public_key.bits}-bit key, got {encoded}")
    if encoded <= max_int:
        signed = encoded
    elif encoded >= n - max_int:
        signed = encoded - n
    else:
        raise OverflowError(f"the decrypted plaintext left the message space (|m| > {max_int}): "
                            "an encrypted computation overflowed; use a larger key or smaller values")
    if fractional_bits == 0:
        return int(signed)
    return signed / 2**fractional_bits


# ----------------------------------------------------------------------------- encryption

@dataclass(frozen=True, repr=False)
class Ciphertext:
    """A Paillier ciphertext c in Z_{n^2}, the key it belongs to, and its fixed-point scale."""

    value: int  # a gmpy2.mpz (GMP multiplies 4096-bit numbers ~4x faster than Python ints)
    public_key: PublicKey
    fractional_bits: int = 0

    def __post_init__(self) -> None:
        """Refuse what cannot be a ciphertext: a value outside [1, n**2) (membership in Z*_{n^2},
        i.e. gcd(c, n) = 1, is checked at decryption, where a failure would otherwise yield garbage)."""
        _check_public_key(self.public_key)
        check_positive_int(self.fractional_bits, "fractional_bits", minimum=0)
        if isinstance(self.value, bool) or not isinstance(self.value, Integral):
            raise ParameterTypeError(f"value must be an integer in [1, n**2), got {type(self.value).__name__}")
        if not 0 < self.value < self.public_key.n_square:
            raise ValueError(f"value must be an integer in [1, n**2) for this {self.public_key.bits}-bit key, "
                             f"got {self.value}")

    def __repr__(self) -> str:
        digits = f"{self.value:x}"
        shown = digits if len(digits) <= 16 else f"{digits[:8]}…{digits[-8:]}"
        return f"Ciphertext(0x{shown}, {self.public_key.bits}-bit key)"

    def __add__(self, other: Ciphertext | int | float) -> Ciphertext:
        return add(self, other) if isinstance(other, Ciphertext) else add_plain(self, other)

    def __radd__(self, other: int | float) -> Ciphertext:
        return self if isinstance(other, Integral) and other == 0 else add_plain(self, other)  # sum() starts at 0

    def __mul__(self, scalar: int | float) -> Ciphertext:
        return multiply_plain(self, scalar)

    __rmul__ = __mul__

    def __neg__(self) -> Ciphertext:
        return multiply_plain(self, -1)

    def __sub__(self, other: Ciphertext | int | float) -> Ciphertext:
        return self + (-other)


def encrypt(public_key: PublicKey, value: int | float, fractional_bits: int | None = None,
            rng: np.random.Generator | int | None = None) -> Ciphertext:
    """Enc(m) = g**m * r**n mod n**2 = (1 + m*n) * r**n mod n**2, with fresh random r in Z_n*.

    Floats use ``DEFAULT_FRACTIONAL_BITS`` unless ``fractional_bits`` says otherwise. ``rng`` (toy
    keys only) makes r reproducible; by default r comes from ``secrets``.
    """
    _check_public_key(public_key)
    if fractional_bits is None:
        fractional_bits = 0 if isinstance(value, Integral) else DEFAULT_FRACTIONAL_BITS
    fractional_bits = check_positive_int(fractional_bits, "fractional_bits", minimum=0)
    m = encode(public_key, value, fractional_bits)
    generator = _check_rng(rng, public_key.mode)
    n, n_square = public_key.n, public_key.n_square
    r = 0
    while math.gcd(r, n) != 1:  # r must be invertible mod n (a toy n has many non-invertible r)
        r = 1 + _random_below(n - 1, generator)
    c = (1 + m * n) * gmpy2.powmod(r, n, n_square) % n_square
    return Ciphertext(c, public_key, fractional_bits)


def _check_same_key(public_key: PublicKey, ciphertext: Ciphertext, name: str = "ciphertext") -> None:
    if not isinstance(ciphertext, Ciphertext):
        raise ParameterTypeError(f"{name} must be a Ciphertext, got {type(ciphertext).__name__}")
    if ciphertext.public_key is not public_key and ciphertext.public_key.n != public_key.n:
        theirs, ours = ciphertext.public_key.n % 10**6, public_key.n % 10**6
        raise ValueError(f"{name} was encrypted under another key ({ciphertext.public_key.bits}-bit n ending "
                         f"…{theirs:06d}, expected n ending …{ours:06d}); "
                         "ciphertexts can only be combined and decrypted under the key that made them")


def decrypt(private_key: PrivateKey, ciphertext: Ciphertext, use_crt: bool = True) -> int | float:
    """m = L(c**lambda mod n**2) * mu mod n with L(x) = (x - 1) / n; decoded to a signed int or float.

    ``use_crt`` computes the same m modulo p and modulo q (exponents and moduli half the size,
    about 4x faster) and recombines them with the Chinese remainder theorem.

    Refuses a value outside Z*_{n^2} (not coprime with n): it encrypts nothing, and the formula
    would return garbage. Not constant-time: ``gmpy2.powmod`` with the secret exponents p - 1,
    q - 1 or lambda takes a time that depends on them (``gmpy2.powmod_sec`` would not).
    """
    _check_private_key(private_key)
    public_key = private_key.public_key
    _check_same_key(public_key, ciphertext)
    if not isinstance(use_crt, bool):
        raise ParameterTypeError(f"use_crt must be True or False, got {use_crt!r}")
    c, n = ciphertext.value, public_key.n
    if gmpy2.gcd(c, n) != 1:
        raise ValueError("ciphertext must be in Z*_{n^2} (coprime with n); its value shares a factor with n, "
                         "so it is no encryption of anything")
    if use_crt:
        p, q = private_key.p, private_key.q
        m_p = (gmpy2.powmod(c, p - 1, private_key.p_square) - 1) // p * private_key.h_p % p
        m_q = (gmpy2.powmod(c, q - 1, private_key.q_square) - 1) // q * private_key.h_q % q
        m = m_p + (m_q - m_p) * private_key.p_inverse % q * p
    else:
        m = (gmpy2.powmod(c, private_key.lam, public_key.n_square) - 1) // n * private_key.mu % n
    return decode(public_key, int(m), ciphertext.fractional_bits)


def rerandomize(ciphertext: Ciphertext, rng: np.random.Generator | int | None = None) -> Ciphertext:
    """Multiply by a fresh encryption of 0: same plaintext, a ciphertext unlinkable to the old one.

    A server returning the result of a computation calls it so that the ciphertext's randomness no
    longer depends on what the server computed with (circuit privacy).
    """
    _check_same_key(getattr(ciphertext, "public_key", None), ciphertext)
    zero = encrypt(ciphertext.public_key, 0, rng=rng)
    return Ciphertext(ciphertext.value * zero.value % ciphertext.public_key.n_square,
                      ciphertext.public_key, ciphertext.fractional_bits)


# ----------------------------------------------------------------------------- homomorphic operations

def _rescale(ciphertext: Ciphertext, fractional_bits: int) -> int:
    """The ciphertext value with its plaintext multiplied by 2**(fractional_bits - its own)."""
    shift = fractional_bits - ciphertext.fractional_bits
    if shift == 0:
        return ciphertext.value
    return gmpy2.powmod(ciphertext.value, 1 << shift, ciphertext.public_key.n_square)


def add(left: Ciphertext, right: Ciphertext) -> Ciphertext:
    """Enc(a) * Enc(b) mod n**2 = Enc(a + b): multiplying ciphertexts adds plaintexts."""
    _check_same_key(getattr(left, "public_key", None), left, "left")
    _check_same_key(left.public_key, right, "right")
    bits = max(left.fractional_bits, right.fractional_bits)
    value = _rescale(left, bits) * _rescale(right, bits) % left.public_key.n_square
    return Ciphertext(value, left.public_key, bits)


def add_plain(ciphertext: Ciphertext, value: int | float) -> Ciphertext:
    """Enc(a) * g**b mod n**2 = Enc(a + b) for a public b (g**b = 1 + b*n, no exponentiation)."""
    _check_same_key(getattr(ciphertext, "public_key", None), ciphertext)
    bits = ciphertext.fractional_bits
    if not isinstance(value, Integral) and bits == 0:
        bits = DEFAULT_FRACTIONAL_BITS
    public_key = ciphertext.public_key
    b = encode(public_key, value, bits)
    value_out = _rescale(ciphertext, bits) * (1 + b * public_key.n) % public_key.n_square
    return Ciphertext(value_out, public_key, bits)


def multiply_plain(ciphertext: Ciphertext, scalar: int | float) -> Ciphertext:
    """Enc(a)**k mod n**2 = Enc(k * a) for a public k; a float k is fixed-point, adding its scale."""
    _check_same_key(getattr(ciphertext, "public_key", None), ciphertext)
    if isinstance(scalar, bool) or not isinstance(scalar, Real):
        raise ParameterTypeError(f"scalar must be an int or a float, got {type(scalar).__name__}")
    if isinstance(scalar, Integral):
        k, scalar_bits = int(scalar), 0
    else:
        if not math.isfinite(scalar):
            raise ValueError(f"scalar must be finite, got {scalar!r}")
        k, scalar_bits = round(Fraction(float(scalar)) * 2**DEFAULT_FRACTIONAL_BITS), DEFAULT_FRACTIONAL_BITS
    # gmpy2.powmod takes a negative exponent as (c**-1)**|k|: Enc(-a)**|k|, cheaper than c**(n - |k|)
    value = gmpy2.powmod(ciphertext.value, k, ciphertext.public_key.n_square)
    return Ciphertext(value, ciphertext.public_key, ciphertext.fractional_bits + scalar_bits)


# ----------------------------------------------------------------------------- attack and costs

def factor_modulus(n: int, max_iterations: int = 10_000_000) -> tuple[int, int, int]:
    """Factor n = p*q with Pollard's rho (Floyd cycle finding, x -> x**2 + 1): returns (p, q, iterations).

    Needs about sqrt(p) steps: instant for toy keys, ~2**512 steps for a 2048-bit key.
    """
    n = check_positive_int(n, "n", minimum=4)
    max_iterations = check_positive_int(max_iterations, "max_iterations")
    if n % 2 == 0:
        return 2, n // 2, 1
    for c in range(1, 20):  # a different polynomial if the cycle closes on n itself
        x = y = 2
        for iteration in range(1, max_iterations + 1):
            x = (x * x + c) % n
            y = (y * y + c) % n
            y = (y * y + c) % n
            d = math.gcd(abs(x - y), n)
            if d == n:
                break
            if d > 1:
                p, q = sorted((d, n // d))
                return p, q, iteration
        else:
            raise ValueError(f"no factor of n found in max_iterations={max_iterations} steps")
    raise ValueError(f"n={n} could not be factored (is it prime?)")


def break_toy_key(public_key: PublicKey) -> PrivateKey:
    """The attack on a toy key: factor n from the public key and rebuild the private key."""
    _check_public_key(public_key)
    p, q, _ = factor_modulus(public_key.n)
    return private_key_from_factors(public_key, p, q)


def factoring_steps(bit_sizes: list[int], n_keys: int = 3) -> pd.DataFrame:
    """Pollard-rho steps to factor seeded toy moduli (seeds 0 .. n_keys-1) of each size, against the
    sqrt(p) = 2**(bits/4) prediction: columns n_bits, mean_steps, log2_mean_steps, log2_predicted."""
    if isinstance(bit_sizes, (str, bytes)) or not hasattr(bit_sizes, "__iter__"):
        raise ParameterTypeError(f"bit_sizes must be a list of even key sizes, got {type(bit_sizes).__name__}")
    sizes = [check_positive_int(bits, "bit_sizes", minimum=MIN_TOY_KEY_BITS) for bits in bit_sizes]
    if not sizes or any(bits % 2 or bits > 96 for bits in sizes):
        raise ValueError(f"bit_sizes must be a non-empty list of even sizes in [{MIN_TOY_KEY_BITS}, 96] "
                         f"(rho needs ~2**(bits/4) steps), got {list(bit_sizes)}")
    n_keys = check_positive_int(n_keys, "n_keys")
    rows = []
    for bits in sizes:
        steps = [factor_modulus(generate_keypair(bits, "toy", rng=seed)[0].n)[2] for seed in range(n_keys)]
        rows.append({"n_bits": bits, "mean_steps": float(np.mean(steps))})
    table = pd.DataFrame(rows)
    table["log2_mean_steps"] = np.log2(table["mean_steps"])
    table["log2_predicted"] = table["n_bits"] / 4
    return table


def work_growth(table: pd.DataFrame, extra_bits: int = 8) -> float:
    """Factor by which the measured work grows per ``extra_bits`` more bits of n: 2**(extra_bits * slope)
    of a least-squares line through log2(mean steps); sqrt(p) predicts 2**(extra_bits / 4)."""
    if not isinstance(table, pd.DataFrame) or not {"n_bits", "log2_mean_steps"} <= set(table.columns) \
            or len(table) < 2:
        raise ParameterTypeError("table must be a factoring_steps DataFrame of at least two key sizes, "
                                 f"got {type(table).__name__}")
    extra_bits = check_positive_int(extra_bits, "extra_bits")
    slope = np.polyfit(table["n_bits"].to_numpy(float), table["log2_mean_steps"].to_numpy(float), 1)[0]
    return float(2.0 ** (extra_bits * slope))


def expansion_factor(n_bits: int, plaintext_bits: int = 64) -> float:
    """Ciphertext bits (2 * n_bits: an element of Z_{n^2}) per bit of a ``plaintext_bits``-bit value."""
    return 2 * check_positive_int(n_bits, "n_bits") / check_positive_int(plaintext_bits, "plaintext_bits")


def _ops_per_second(function, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return repeats / (time.perf_counter() - start)


def benchmark(n_bits: int, n_keys: int = 2, n_ops: int = 20, implementations: tuple[str, ...] = ("teaching", "phe"),
              seed: int = 0) -> pd.DataFrame:
    """Operations per second of key generation, encryption, addition and decryption, teaching vs ``phe``.

    Below ``MIN_REAL_KEY_BITS`` the teaching keys are toy-mode (same arithmetic, smaller n). The
    plaintexts are seeded; timings are wall-clock and vary from run to run.
    """
    n_bits = check_positive_int(n_bits, "n_bits", minimum=MIN_TOY_KEY_BITS)
    n_keys, n_ops = check_positive_int(n_keys, "n_keys"), check_positive_int(n_ops, "n_ops")
    if isinstance(implementations, str) or not isinstance(implementations, (tuple, list)) or not implementations:
        raise ParameterTypeError(f"implementations must be a non-empty tuple drawn from ('teaching', 'phe'), "
                                 f"got {implementations!r}")
    seed = check_positive_int(seed, "seed", minimum=0)
    unknown = set(implementations) - {"teaching", "phe"}
    if unknown:
        raise ValueError(f"implementations must be drawn from ('teaching', 'phe'), got {sorted(unknown)}")
    from phe import paillier as phe_paillier

    values = [int(v) for v in np.random.default_rng(seed).integers(-10**6, 10**6, size=n_ops)]
    mode = "real" if n_bits >= MIN_REAL_KEY_BITS else "toy"
    rows = []
    for name in implementations:
        if name == "teaching":
            keygen = lambda: generate_keypair(n_bits, mode)  # noqa: E731
            enc, dec = encrypt, decrypt
        else:
            keygen = lambda: phe_paillier.generate_paillier_keypair(n_length=n_bits)  # noqa: E731
            enc = lambda key, value: key.encrypt(value)  # noqa: E731
            dec = lambda key, ciphertext: key.decrypt(ciphertext)  # noqa: E731
        start = time.perf_counter()
        for _ in range(n_keys):
            public_key, private_key = keygen()  # the last key serves the other operations
        keygen_rate = n_keys / (time.perf_counter() - start)
        start = time.perf_counter()
        ciphertexts = [enc(public_key, v) for v in values]
        encrypt_rate = n_ops / (time.perf_counter() - start)
        pairs = list(zip(ciphertexts, ciphertexts[1:] + ciphertexts[:1]))
        add_rate = _ops_per_second(lambda pairs=pairs: [a + b for a, b in pairs], 10) * len(pairs)
        start = time.perf_counter()
        decrypted = [dec(private_key, c) for c in ciphertexts]
        decrypt_rate = n_ops / (time.perf_counter() - start)
        if decrypted != values:
            raise RuntimeError(f"{name} decrypted wrong values in the benchmark")
        rows.append({"implementation": name, "n_bits": n_bits, "keygen": keygen_rate, "encrypt": encrypt_rate,
                     "add": add_rate, "decrypt": decrypt_rate})
    return pd.DataFrame(rows)


OPERATIONS = ("keygen", "encrypt", "add", "decrypt")


def _check_timings(timings: pd.DataFrame) -> None:
    if not isinstance(timings, pd.DataFrame) or not {"implementation", "n_bits", *OPERATIONS} <= set(timings.columns):
        raise ParameterTypeError(f"timings must be a DataFrame from paillier.benchmark (columns implementation, "
                                 f"n_bits, {', '.join(OPERATIONS)}), got {type(timings).__name__}")


def speed_ratio(timings: pd.DataFrame) -> pd.DataFrame:
    """Teaching ops/s divided by ``phe`` ops/s per key size and operation (1 = as fast), from :func:`benchmark`."""
    _check_timings(timings)
    missing = {"teaching", "phe"} - set(timings["implementation"])
    if missing:
        raise ValueError(f"timings must hold both implementations, 'teaching' and 'phe'; {sorted(missing)} missing")
    by_size = {name: rows.set_index("n_bits")[list(OPERATIONS)] for name, rows in timings.groupby("implementation")}
    return by_size["teaching"] / by_size["phe"]


def powmod_seconds(modulus_bits: int = MIN_REAL_KEY_BITS, n_bases: int = 5, seed: int = 0) -> dict[str, float]:
    """Seconds per r**n mod n**2 with Python's ``pow`` and with ``gmpy2.powmod``, for a random odd
    ``modulus_bits``-bit n (the exponentiation of every encryption). Wall-clock: varies with the machine."""
    modulus_bits = check_positive_int(modulus_bits, "modulus_bits", minimum=MIN_TOY_KEY_BITS)
    n_bases, seed = check_positive_int(n_bases, "n_bases"), check_positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    n = _random_bits(modulus_bits, rng) | (1 << (modulus_bits - 1)) | 1
    n_square = n * n
    bases = [_random_below(n, rng) for _ in range(n_bases)]
    seconds = {}
    for name, power in (("Python pow", pow), ("gmpy2.powmod", gmpy2.powmod)):
        start = time.perf_counter()
        for base in bases:
            power(base, n, n_square)
        seconds[name] = (time.perf_counter() - start) / n_bases
    return seconds


def key_size_costs(timings: pd.DataFrame, n_bits: int) -> dict:
    """Milliseconds per operation of each implementation at one key size, from a :func:`benchmark` table,
    and the ciphertext expansion factor: ``{"ms": {implementation: {operation: ms}}, "expansion": x}``."""
    _check_timings(timings)
    operations = list(OPERATIONS)
    n_bits = check_positive_int(n_bits, "n_bits", minimum=MIN_TOY_KEY_BITS)
    sizes = sorted(int(b) for b in timings["n_bits"].unique())
    if n_bits not in sizes:
        raise ValueError(f"n_bits must be one of the benchmarked key sizes {sizes}, got {n_bits}")
    rows = timings[timings["n_bits"] == n_bits].set_index("implementation")[operations]
    return {"ms": (1000 / rows).to_dict(orient="index"), "expansion": expansion_factor(n_bits, 64)}
