"""Paillier keys: the public modulus n = p*q, the private factors, and how toy and real keys are drawn."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field

import gmpy2
import numpy as np

from ..validation import ParameterTypeError, check_one_of, check_positive_int

__all__ = ["MIN_REAL_KEY_BITS", "MIN_TOY_KEY_BITS", "DEFAULT_FRACTIONAL_BITS", "PublicKey", "PrivateKey",
           "random_prime", "generate_keypair", "private_key_from_factors"]

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
    from ..seeding import crypto_rng

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
