"""Additive secret sharing over a prime field: n parties compute on numbers none of them sees.

Taught in ``notebooks/07_homomorphic_encryption.ipynb`` (three banks and their total exposure).
A secret s in Z_p is split into n shares that sum to s mod p; any n - 1 of them are uniformly
random and independent of s. Sums and public multiples are computed locally on shares; the
product of two shared values uses a Beaver triple (a, b, ab) from a trusted dealer (Beaver,
CRYPTO 1991), the multiplication of SPDZ-style protocols (Damgard et al., CRYPTO 2012).
Parties are honest-but-curious: the protocol keeps inputs secret, it does not catch cheaters.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral

import gmpy2
import numpy as np
import pandas as pd

from .seeding import crypto_rng
from .validation import ParameterTypeError, check_positive_int

__all__ = [
    "DEFAULT_PRIME", "share", "reconstruct", "add_shares", "add_public", "multiply_public",
    "BeaverTriple", "deal_beaver_triple", "open_masked_differences", "local_product_shares",
    "multiply_shares", "benchmark",
]

#: The Mersenne prime 2**127 - 1: room for signed values up to ~8.5e37, and fast to reduce by.
DEFAULT_PRIME = 2**127 - 1

Shares = tuple[int, ...]




def _uniform_below(prime: int, rng: np.random.Generator | None) -> int:
    """A uniform element of Z_prime (rejection sampling on random bits when drawn from ``rng``)."""
    if rng is None:
        return secrets.randbelow(prime)
    bits = prime.bit_length()
    n_bytes = (bits + 7) // 8
    while True:
        candidate = int.from_bytes(rng.bytes(n_bytes), "big") >> (8 * n_bytes - bits)
        if candidate < prime:
            return candidate


def _check_prime(prime: int) -> int:
    prime = check_positive_int(prime, "prime", minimum=3)
    return _check_primality(prime)


@functools.lru_cache(maxsize=32)
def _check_primality(prime: int) -> int:
    # GMP's BPSW then 25 Miller-Rabin rounds: no known composite passes (a base-2 Fermat test passed 341 = 11*31)
    if not gmpy2.is_prime(prime, 25):
        raise ValueError(f"prime must be a prime number, got {prime}")
    return prime


def _encode(value: int, prime: int, name: str = "secret") -> int:
    """Signed integer -> Z_prime (negatives wrap to prime - |value|), refusing |value| > prime // 2."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ParameterTypeError(f"{name} must be an integer (scale fixed-point values first), got {value!r}")
    if abs(int(value)) > prime // 2:
        raise ValueError(f"{name} must be in [-{prime // 2}, {prime // 2}] for prime={prime}, got {value}")
    return int(value) % prime


def _check_shares(shares: Sequence[int], prime: int, name: str = "shares") -> Shares:
    if isinstance(shares, (str, bytes)) or not isinstance(shares, Sequence):
        raise ParameterTypeError(f"{name} must be a sequence of integer shares, got {type(shares).__name__}")
    if len(shares) < 2:
        raise ValueError(f"{name} must hold at least 2 shares, got {len(shares)}")
    if any(isinstance(s, bool) or not isinstance(s, Integral) or not 0 <= s < prime for s in shares):
        raise ValueError(f"{name} must be integers in [0, {prime}), got {list(shares)!r}")
    return tuple(int(s) for s in shares)


def share(secret: int, n_parties: int, prime: int = DEFAULT_PRIME,
          rng: np.random.Generator | int | None = None) -> Shares:
    """Split a signed integer into ``n_parties`` shares: n-1 uniform in Z_p, the last makes them sum to it."""
    n_parties = check_positive_int(n_parties, "n_parties", minimum=2)
    prime = _check_prime(prime)
    secret = _encode(secret, prime)
    generator = crypto_rng(rng)
    randoms = [_uniform_below(prime, generator) for _ in range(n_parties - 1)]
    return (*randoms, (secret - sum(randoms)) % prime)


def reconstruct(shares: Sequence[int], prime: int = DEFAULT_PRIME) -> int:
    """The secret: the sum of all shares mod p, read back as a signed integer."""
    prime = _check_prime(prime)
    shares = _check_shares(shares, prime)
    total = sum(shares) % prime
    return total - prime if total > prime // 2 else total


def add_shares(left: Sequence[int], right: Sequence[int], prime: int = DEFAULT_PRIME) -> Shares:
    """Shares of x + y: each party adds its two shares, locally, without talking to anyone."""
    prime = _check_prime(prime)
    left, right = _check_shares(left, prime, "left"), _check_shares(right, prime, "right")
    if len(left) != len(right):
        raise ValueError(f"left and right must have one share per party, got {len(left)} and {len(right)}")
    return tuple((a + b) % prime for a, b in zip(left, right))


def add_public(shares: Sequence[int], constant: int, prime: int = DEFAULT_PRIME) -> Shares:
    """Shares of x + k for a public k: only the first party adds k (else it would be added n times)."""
    prime = _check_prime(prime)
    shares = _check_shares(shares, prime)
    k = _encode(constant, prime, "constant")
    return ((shares[0] + k) % prime, *shares[1:])


def multiply_public(shares: Sequence[int], constant: int, prime: int = DEFAULT_PRIME) -> Shares:
    """Shares of k * x for a public k: every party multiplies its share by k, locally."""
    prime = _check_prime(prime)
    shares = _check_shares(shares, prime)
    k = _encode(constant, prime, "constant")
    return tuple(s * k % prime for s in shares)


@dataclass
class BeaverTriple:
    """Shares of random a, b and of c = a*b mod p, made by a trusted dealer before the inputs exist.

    Single use: opening a triple a second time, with inputs x' and y', would publish d' = x' - a
    next to d = x - a, and d - d' = x - x' (the pad cancels). :func:`open_masked_differences`
    sets ``used`` and refuses a used triple.
    """

    a: Shares
    b: Shares
    c: Shares
    used: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("a", "b", "c"):
            shares = getattr(self, name)
            if isinstance(shares, (str, bytes)) or not isinstance(shares, Sequence) or len(shares) < 2 or any(
                    isinstance(s, bool) or not isinstance(s, Integral) or s < 0 for s in shares):
                raise ValueError(f"{name} must be a sequence of at least 2 integer shares >= 0, got {shares!r}")
            setattr(self, name, tuple(int(s) for s in shares))
        if not len(self.a) == len(self.b) == len(self.c):
            raise ValueError(f"a, b and c must have one share per party, got {len(self.a)}, {len(self.b)}, "
                             f"{len(self.c)}")
        if not isinstance(self.used, bool):
            raise ParameterTypeError(f"used must be True or False, got {self.used!r}")


def deal_beaver_triple(n_parties: int, prime: int = DEFAULT_PRIME,
                       rng: np.random.Generator | int | None = None) -> BeaverTriple:
    """The trusted dealer: draw a, b uniformly in Z_p and hand out shares of a, b and a*b (for one use)."""
    n_parties = check_positive_int(n_parties, "n_parties", minimum=2)
    prime = _check_prime(prime)
    generator = crypto_rng(rng)
    a, b = _uniform_below(prime, generator), _uniform_below(prime, generator)

    def split(value: int) -> Shares:
        randoms = [_uniform_below(prime, generator) for _ in range(n_parties - 1)]
        return (*randoms, (value - sum(randoms)) % prime)

    return BeaverTriple(split(a), split(b), split(a * b % prime))


def open_masked_differences(x: Sequence[int], y: Sequence[int], triple: BeaverTriple,
                            prime: int = DEFAULT_PRIME) -> tuple[int, int]:
    """Round 1 of Beaver multiplication: everyone broadcasts x_i - a_i and y_i - b_i, and all learn
    d = x - a and e = y - b. They reveal nothing: a and b are uniform one-time pads, used once.

    Marks ``triple`` as used and refuses a used one (a reused pad would reveal x - x').
    """
    prime = _check_prime(prime)
    x, y = _check_shares(x, prime, "x"), _check_shares(y, prime, "y")
    if isinstance(triple, BeaverTriple) and not len(x) == len(y) == len(triple.a):
        raise ValueError(f"x, y and triple must have one share per party, got {len(x)}, {len(y)} and {len(triple.a)}")
    _check_triple(triple, prime, len(x))
    if triple.used:
        raise ValueError("triple was already used: a Beaver triple is a one-time pad, and opening it twice "
                         "reveals x - x' to every party; deal a fresh triple for each multiplication")
    triple.used = True
    d = sum(xi - ai for xi, ai in zip(x, triple.a)) % prime
    e = sum(yi - bi for yi, bi in zip(y, triple.b)) % prime
    return d, e


def _check_triple(triple: BeaverTriple, prime: int, n_parties: int) -> None:
    if not isinstance(triple, BeaverTriple):
        raise ParameterTypeError(f"triple must be a BeaverTriple, got {type(triple).__name__}")
    if len(triple.a) != n_parties:
        raise ValueError(f"triple must have one share per party ({n_parties}), got {len(triple.a)}")
    if any(s >= prime for s in (*triple.a, *triple.b, *triple.c)):
        raise ValueError(f"triple must hold shares in [0, {prime}): it was dealt for another prime")


def local_product_shares(triple: BeaverTriple, d: int, e: int, prime: int = DEFAULT_PRIME) -> Shares:
    """Round 2 of Beaver multiplication, local to each party: z_i = c_i + d*b_i + e*a_i, plus the public
    d*e for party 0 only. The z_i are shares of x*y because x*y = (d + a)(e + b) = c + d*b + e*a + d*e."""
    prime = _check_prime(prime)
    _check_triple(triple, prime, len(getattr(triple, "a", ())))
    for name, value in (("d", d), ("e", e)):
        if isinstance(value, bool) or not isinstance(value, Integral) or not 0 <= value < prime:
            raise ValueError(f"{name} must be an integer in [0, {prime}) (an opened masked difference), got {value!r}")
    z = [(ci + d * bi + e * ai) % prime for ai, bi, ci in zip(triple.a, triple.b, triple.c)]
    z[0] = (z[0] + d * e) % prime
    return tuple(z)


def multiply_shares(x: Sequence[int], y: Sequence[int], triple: BeaverTriple,
                    prime: int = DEFAULT_PRIME) -> Shares:
    """Shares of x*y from shares of x and y and one unused Beaver triple.

    Round 1 opens d = x - a and e = y - b (:func:`open_masked_differences`); round 2 is local
    (:func:`local_product_shares`). The triple is used up: a second multiplication with it is refused.
    """
    d, e = open_masked_differences(x, y, triple, prime)
    return local_product_shares(triple, d, e, prime)


def benchmark(n_parties: int = 3, n_ops: int = 2000, prime: int = DEFAULT_PRIME, seed: int = 0) -> pd.DataFrame:
    """Operations per second of share, reconstruct, add and Beaver multiply (simulated in one process).

    Shares use OS randomness (``secrets``), as a deployment would; timings vary from run to run
    and leave out the network, which dominates real MPC (multiplication needs a round trip).
    """
    n_parties, n_ops = check_positive_int(n_parties, "n_parties", minimum=2), check_positive_int(n_ops, "n_ops")
    prime, seed = _check_prime(prime), check_positive_int(seed, "seed", minimum=0)
    values = [int(v) for v in np.random.default_rng(seed).integers(-10**6, 10**6, size=n_ops)]

    def rate(function) -> tuple[float, list]:
        start = time.perf_counter()
        results = [function(i) for i in range(n_ops)]
        return n_ops / (time.perf_counter() - start), results

    share_rate, shared = rate(lambda i: share(values[i], n_parties, prime))
    add_rate, sums = rate(lambda i: add_shares(shared[i], shared[i - 1], prime))
    reconstruct_rate, opened = rate(lambda i: reconstruct(sums[i], prime))
    dealer_rate, triples = rate(lambda i: deal_beaver_triple(n_parties, prime))
    multiply_rate, products = rate(lambda i: multiply_shares(shared[i], shared[i - 1], triples[i], prime))
    if opened != [values[i] + values[i - 1] for i in range(n_ops)] or \
            reconstruct(products[1], prime) != values[1] * values[0]:
        raise RuntimeError("secret sharing computed a wrong result in the benchmark")
    return pd.DataFrame([{"n_parties": n_parties, "share": share_rate, "add": add_rate,
                          "reconstruct": reconstruct_rate, "deal_triple": dealer_rate,
                          "multiply": multiply_rate}])
