"""The Paillier scheme itself: encoding numbers, encryption, decryption and the homomorphic operations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral, Real

import gmpy2
import numpy as np

from ..validation import ParameterTypeError, check_positive_int
from .keys import (
    DEFAULT_FRACTIONAL_BITS,
    PrivateKey,
    PublicKey,
    _check_private_key,
    _check_public_key,
    _check_rng,
    _random_below,
)

__all__ = ["Ciphertext", "encode", "decode", "encrypt", "decrypt", "rerandomize", "add", "add_plain",
           "multiply_plain"]


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
