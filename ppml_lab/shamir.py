"""Shamir secret sharing over a prime field, with a commitment that catches tampered shares.

Taught in ``notebooks/06_secure_aggregation.ipynb``; ``secure_aggregation.py`` uses it for dropout
recovery (Bonawitz et al. 2017, "Practical Secure Aggregation for Privacy-Preserving Machine Learning").
Follows Shamir 1979, "How to share a secret": the secret is the constant term of a random polynomial
of degree ``threshold - 1`` over GF(p); share ``i`` is the point ``(i, f(i))``; any ``threshold`` shares
give ``f(0)`` by Lagrange interpolation and fewer reveal nothing about it.

The field is GF(2^31 - 1), a Mersenne prime small enough that a product of two elements fits in a
64-bit integer, so numpy shares many field elements at once. A secret is a vector of field elements;
a 32-byte key or seed is cut into 16-bit limbs (:func:`bytes_to_field`) and each limb is shared with
its own polynomial (the same perfect secrecy, limb by limb).

Why a hash commitment and not Feldman's verifiable secret sharing. Feldman VSS publishes
``g^a_j`` for every coefficient, which lets a share holder check its share against a cheating dealer,
but it needs a large discrete-log group and ``threshold`` modular exponentiations per share checked:
in Bonawitz et al. every client checks ``n`` shares, so ``n * threshold`` exponentiations per client
(half a million at 1,000 clients), which is out of reach for a teaching package in pure Python.
The threat the lesson needs is different: a share altered *after* it was dealt (by the server that
relays it, by the network, or by a faulty client). For that the dealer publishes, at sharing time, a
SHA-256 commitment to the secret and a random 128-bit salt (:class:`Commitment`); a reconstruction
from a tampered share gives a different value w.h.p., its hash does not match, and
:func:`reconstruct_secret` raises :class:`TamperedShareError`. When more than ``threshold`` shares are
given, the extra ones are also checked to lie on the same polynomial, which catches tampering even
without a commitment. (Bonawitz et al. add authenticated encryption of shares in transit, which
``secure_aggregation.py`` also does.)

The salt is *not* published: it is shared together with the secret (the last
:data:`SALT_LIMBS` field elements of every share), so reconstruction recovers it and can check the
digest, while anyone holding only the commitment would have to guess 128 bits of salt besides the
secret. A salt published beside the digest would make the commitment binding but not hiding: a
small secret (a PIN, a count, 2024) is found by hashing every candidate
(:func:`ppml_lab.attacks.secure_aggregation.brute_force_commitment` shows it), so the
information-theoretic secrecy of ``threshold - 1`` shares would be lost to whoever sees the
commitment. With the salt shared, fewer than ``threshold`` shares plus the commitment hide the secret
computationally (SHA-256 as a random oracle), not perfectly.
What this does *not* catch: a dealer who hands out inconsistent shares of a committed secret is
detected only at reconstruction, not when the shares are received.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from .seeding import crypto_rng, random_bytes
from .validation import ParameterTypeError, check_positive_int

__all__ = ["PRIME", "SALT_BYTES", "SALT_LIMBS", "Share", "Commitment", "TamperedShareError", "split_secret",
           "reconstruct_secret", "lagrange_coefficients", "bytes_to_field", "field_to_bytes", "commit"]

PRIME = 2**31 - 1
LIMB_BITS = 16
SALT_BYTES = 16  # the commitment's secret salt: 128 bits
SALT_LIMBS = SALT_BYTES * 8 // LIMB_BITS  # shared with the secret as 8 extra field elements per share


class TamperedShareError(ValueError):
    """A share was altered after it was dealt: reconstruction refuses to return a wrong secret."""


@dataclass(frozen=True, eq=False)
class Share:
    """One share: the x-coordinate ``index`` (1..n) and the polynomial values ``values`` at it.

    ``values`` holds one field element per element of the secret, then :data:`SALT_LIMBS` elements
    that share the commitment's salt.
    """

    index: int
    values: np.ndarray

    def __post_init__(self) -> None:
        index = check_positive_int(self.index, "index")
        if index >= PRIME:
            raise ValueError(f"index must be in [1, {PRIME}) (a non-zero field element), got {index}")
        values = np.asarray(self.values)
        if values.ndim != 1 or values.size == 0 or not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"values must be a non-empty 1-D array of integers (field elements), got dtype "
                             f"{values.dtype} and shape {values.shape}")
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "values", values.astype(np.int64))

    def to_bytes(self) -> bytes:
        """Wire format: 4-byte index, then 4 bytes per field element (little-endian)."""
        return self.index.to_bytes(4, "little") + self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        return cls(int.from_bytes(data[:4], "little"), np.frombuffer(data[4:], dtype="<u4").astype(np.int64))


@dataclass(frozen=True)
class Commitment:
    """SHA-256 of the secret and a secret salt, published by the dealer when sharing.

    Binding (SHA-256 is collision resistant) and hiding (the 128-bit salt is not published; it is
    shared with the secret), so a small secret cannot be found by hashing candidates.
    """

    threshold: int
    digest: bytes

    def __post_init__(self) -> None:
        check_positive_int(self.threshold, "threshold")
        if not isinstance(self.digest, bytes) or len(self.digest) != 32:
            raise ValueError(f"digest must be 32 bytes (SHA-256), got {self.digest!r:.40}")

    def to_bytes(self) -> bytes:
        return self.threshold.to_bytes(4, "little") + self.digest

    @classmethod
    def from_bytes(cls, data: bytes) -> Commitment:
        return cls(int.from_bytes(data[:4], "little"), bytes(data[4:36]))


def bytes_to_field(data: bytes) -> np.ndarray:
    """Cut ``data`` (even length) into 16-bit limbs, each a field element."""
    if not isinstance(data, (bytes, bytearray)):
        raise ParameterTypeError(f"data must be bytes, got {type(data).__name__}")
    if len(data) % 2:
        raise ValueError(f"data must have an even number of bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u2").astype(np.int64)


def field_to_bytes(values: np.ndarray) -> bytes:
    """Inverse of :func:`bytes_to_field`; raises if a value is not a 16-bit limb (a tampered secret)."""
    values = np.asarray(values)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"values must be a 1-D array of integers (16-bit limbs), got dtype {values.dtype} and "
                         f"shape {values.shape}")
    if values.size and (values.min() < 0 or values.max() >= 2**LIMB_BITS):
        raise TamperedShareError("values (the reconstructed secret) are not all 16-bit limbs: a share was tampered "
                                 "with")
    return values.astype("<u2").tobytes()


def _random_field_elements(shape: tuple[int, ...], rng: np.random.Generator | None) -> np.ndarray:
    """Uniform field elements: from ``rng`` (reproducible, for teaching and tests) or, if None, the OS CSPRNG."""
    if rng is not None:
        return rng.integers(0, PRIME, size=shape, dtype=np.int64)
    count = int(np.prod(shape))
    raw = np.frombuffer(os.urandom(8 * count), dtype="<u8")  # bias 2^31 / 2^64: negligible
    return (raw % PRIME).astype(np.int64).reshape(shape)




def commit(secret: ArrayLike, threshold: int, salt: bytes) -> Commitment:
    """The commitment to ``secret``: SHA-256 over a domain tag, the salt, the threshold and the secret.

    Hiding only while ``salt`` (16 random bytes) stays secret: :func:`split_secret` shares it with the secret.
    """
    values = _as_secret(secret)
    threshold = check_positive_int(threshold, "threshold")
    if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
        raise ValueError(f"salt must be {SALT_BYTES} bytes, got {salt!r:.40}")
    data = b"ppml-lab shamir v2" + salt + threshold.to_bytes(4, "little") + values.astype("<u4").tobytes()
    return Commitment(threshold, hashlib.sha256(data).digest())




def _as_secret(secret: int | ArrayLike) -> np.ndarray:
    values = np.atleast_1d(np.asarray(secret))
    if values.ndim != 1 or values.size == 0 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"secret must be an integer or a non-empty 1-D array of integers, got {secret!r}")
    if values.min() < 0 or values.max() >= PRIME:
        raise ValueError(f"secret values must lie in [0, {PRIME}) (the field GF(2^31 - 1)), got min "
                         f"{values.min()} and max {values.max()}")
    return values.astype(np.int64)


def _check_threshold(threshold: int, n_shares: int) -> int:
    threshold = check_positive_int(threshold, "threshold")
    if threshold > n_shares:
        raise ValueError(f"threshold must be in [1, n_shares={n_shares}], got {threshold}: one cannot ask for more "
                         "shares than were dealt")
    return threshold


def split_secret(secret: int | ArrayLike, n_shares: int, threshold: int,
                 rng: np.random.Generator | int | None = None) -> tuple[list[Share], Commitment]:
    """Deal ``n_shares`` shares of ``secret`` (field elements) of which any ``threshold`` recover it.

    Returns the shares (indices 1..n_shares) and the dealer's :class:`Commitment`. ``rng`` makes the
    sharing reproducible (teaching, tests); ``None`` draws from the operating system's CSPRNG, which is
    what a real deployment must use (numpy's generators are not cryptographically secure).
    """
    values = _as_secret(secret)
    n_shares = check_positive_int(n_shares, "n_shares")
    if n_shares >= PRIME:
        raise ValueError(f"n_shares must be < {PRIME} (share indices are non-zero field elements), got {n_shares}")
    threshold = _check_threshold(threshold, n_shares)
    generator = crypto_rng(rng)
    salt = random_bytes(SALT_BYTES, generator)
    commitment = commit(values, threshold, salt)
    values = np.concatenate([values, bytes_to_field(salt)])  # the salt is shared along with the secret
    # f(x) = secret + a_1 x + ... + a_{t-1} x^{t-1}, one polynomial per field element of the secret
    coefficients = _random_field_elements((threshold - 1, values.size), generator)
    xs = np.arange(1, n_shares + 1, dtype=np.int64)[:, None]
    evaluations = np.zeros((n_shares, values.size), dtype=np.int64)
    for coefficient in coefficients[::-1]:  # Horner's rule, all points and all limbs at once
        evaluations = (evaluations * xs + coefficient) % PRIME
    evaluations = (evaluations * xs + values) % PRIME
    shares = [Share(i + 1, evaluations[i].copy()) for i in range(n_shares)]
    return shares, commitment


@lru_cache(maxsize=64)
def _lagrange_cached(indices: tuple[int, ...], at: int) -> np.ndarray:
    xs = np.array(indices, dtype=np.int64)
    numerator = np.ones(len(xs), dtype=np.int64)
    denominator = np.ones(len(xs), dtype=np.int64)
    for j, xj in enumerate(xs):  # l_i(at) = prod_{j != i} (at - x_j) / (x_i - x_j)
        others = np.arange(len(xs)) != j
        numerator[others] = numerator[others] * ((at - xj) % PRIME) % PRIME
        denominator[others] = denominator[others] * ((xs[others] - xj) % PRIME) % PRIME
    inverses = np.array([pow(int(d), PRIME - 2, PRIME) for d in denominator], dtype=np.int64)  # Fermat
    coefficients = numerator * inverses % PRIME
    coefficients.setflags(write=False)
    return coefficients


def lagrange_coefficients(indices: Sequence[int], at: int = 0) -> np.ndarray:
    """Weights l_i(at) with f(at) = sum_i l_i(at) f(x_i) mod p for any polynomial of degree < len(indices)."""
    if isinstance(indices, (str, bytes)) or not isinstance(indices, (Sequence, np.ndarray)) or len(indices) == 0:
        raise ParameterTypeError(f"indices must be a non-empty sequence of share indices, got {indices!r:.60}")
    points = [check_positive_int(i, "indices", minimum=1) for i in indices]
    if len({i % PRIME for i in points}) != len(points) or max(points) >= PRIME:
        raise ValueError(f"indices must be distinct and in [1, {PRIME}), got {sorted(points)}")
    at = check_positive_int(at, "at", minimum=-PRIME)
    return _lagrange_cached(tuple(points), at % PRIME)


def _interpolate(shares: Sequence[Share], at: int) -> np.ndarray:
    weights = lagrange_coefficients([s.index for s in shares], at)
    total = np.zeros_like(shares[0].values)
    for weight, share in zip(weights, shares):
        total = (total + weight * (share.values % PRIME)) % PRIME
    return total


def reconstruct_secret(shares: Sequence[Share], threshold: int,
                       commitment: Commitment | None = None) -> np.ndarray:
    """Recover the secret from at least ``threshold`` shares by Lagrange interpolation at x = 0.

    Raises :class:`TamperedShareError` if shares beyond the first ``threshold`` do not lie on the same
    polynomial, or if the result does not match the dealer's ``commitment``.
    """
    if isinstance(shares, (str, bytes)) or not isinstance(shares, Sequence) or not all(
            isinstance(share, Share) for share in shares):
        raise ParameterTypeError(f"shares must be a sequence of shamir.Share, got {shares!r:.60}")
    if commitment is not None and not isinstance(commitment, Commitment):
        raise ParameterTypeError(f"commitment must be a shamir.Commitment or None, got {type(commitment).__name__}")
    threshold = check_positive_int(threshold, "threshold")
    if len(shares) < threshold:
        raise ValueError(f"shares must hold at least threshold={threshold} shares, got {len(shares)}: fewer "
                         "shares reveal nothing about the secret")
    indices = [share.index for share in shares]
    if len(set(indices)) != len(indices) or min(indices) < 1 or max(indices) >= PRIME:
        raise ValueError(f"share indices must be distinct and in [1, {PRIME}), got {sorted(indices)}")
    sizes = {share.values.shape for share in shares}
    if len(sizes) != 1:
        raise ValueError(f"all shares must hold the same number of field elements, got shapes {sorted(sizes)}")
    if shares[0].values.ndim != 1 or shares[0].values.size <= SALT_LIMBS:
        raise ValueError(f"shares must hold the secret's field elements and {SALT_LIMBS} salt elements (as "
                         f"split_secret deals them), got shape {shares[0].values.shape}")
    if commitment is not None and commitment.threshold != threshold:
        raise ValueError(f"threshold={threshold} differs from the dealer's commitment (threshold "
                         f"{commitment.threshold})")
    base, extra = list(shares[:threshold]), list(shares[threshold:])
    for share in extra:  # redundant shares must agree with the polynomial through the first `threshold`
        if not np.array_equal(_interpolate(base, share.index), share.values % PRIME):
            raise TamperedShareError(f"share {share.index} does not lie on the polynomial through shares "
                                     f"{[s.index for s in base]}: one of these shares was tampered with")
    opened = _interpolate(base, 0)
    secret, salt_limbs = opened[:-SALT_LIMBS], opened[-SALT_LIMBS:]
    if commitment is not None and (salt_limbs.max() >= 2**LIMB_BITS or commit(
            secret, threshold, field_to_bytes(salt_limbs)).digest != commitment.digest):
        raise TamperedShareError(f"the secret reconstructed from shares {indices} does not match the dealer's "
                                 "commitment: at least one of these shares was tampered with (or belongs to "
                                 "another sharing)")
    return secret
