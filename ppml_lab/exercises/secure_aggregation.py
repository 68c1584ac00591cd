"""Checks for the exercises of ``notebooks/06_secure_aggregation.ipynb``."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from .. import shamir
from ..secure_aggregation import prg_mask
from ..validation import ParameterTypeError, check_positive, check_positive_int
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_pairwise_mask", "check_reconstruct", "check_precision_bits"]

RING = 2**32


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


def check_pairwise_mask(signed_mask: Callable[[int, int, bytes, int], np.ndarray]) -> Feedback:
    """Exercise 1: ``signed_mask(u, v, seed, size)``, the pairwise mask client u adds for its pair with v."""
    _check_callable(signed_mask, "signed_mask")
    rng = np.random.default_rng(6)
    for u, v in [(0, 1), (3, 1), (2, 7)]:
        seed = rng.bytes(32)
        mine, problem = call_safely(signed_mask, u, v, seed, 64)
        if problem is not None:  # a Feedback is falsy when it is a 'not yet'
            return problem
        theirs, problem = call_safely(signed_mask, v, u, seed, 64)
        if problem is not None:  # a Feedback is falsy when it is a 'not yet'
            return problem
        if mine is None or theirs is None:
            return not_yet("your function returned None: return the mask, an array of 64 integers mod 2^32.")
        mine, theirs = np.asarray(mine), np.asarray(theirs)
        if mine.shape != (64,) or not np.issubdtype(mine.dtype, np.integer):
            return not_yet(f"return an integer array of shape (size,) = (64,), got dtype {mine.dtype} and "
                           f"shape {mine.shape}.")
        if mine.min() < 0 or mine.max() >= RING:
            return not_yet("some values are outside [0, 2^32): reduce them mod 2^32 (e.g. with `% 2**32`).")
        if not np.any(mine):
            return not_yet("the mask is all zeros: it hides nothing. Expand the seed with "
                           "`lab.secure_aggregation.prg_mask(seed, size)`.")
        stream = prg_mask(seed, 64).astype(np.int64)
        if not (np.array_equal(mine, stream) or np.array_equal(mine, (-stream) % RING)):
            return not_yet("the mask should be the PRG output of the shared seed, `prg_mask(seed, size)`, "
                           "or its negative mod 2^32: both clients can compute it, nobody else can.")
        if np.any((mine.astype(np.uint64) + theirs.astype(np.uint64)) % RING):
            return not_yet(f"client {u}'s and client {v}'s masks do not cancel: one of the pair must add the PRG "
                           "output and the other subtract it (mod 2^32), e.g. + when u < v and - when u > v.")
    return correct("u and v expand the same seed and use opposite signs, so every pair cancels in the server's sum.")


def check_reconstruct(reconstruct: Callable[[list[tuple[int, int]]], int]) -> Feedback:
    """Exercise 2: ``reconstruct(points)`` returns f(0) mod PRIME from t points (x, f(x)) of a polynomial."""
    _check_callable(reconstruct, "reconstruct")
    rng = np.random.default_rng(2)
    for threshold, n_shares in [(2, 3), (3, 5), (5, 8)]:
        secret = int(rng.integers(0, shamir.PRIME))
        shares, _ = shamir.split_secret(secret, n_shares, threshold, rng=rng)
        chosen = [shares[i] for i in sorted(rng.choice(n_shares, threshold, replace=False))]
        points = [(s.index, int(s.values[0])) for s in chosen]
        got, problem = call_safely(reconstruct, points)
        if problem is not None:  # a Feedback is falsy when it is a 'not yet'
            return problem
        if got is None:
            return not_yet("your function returned None: return f(0) as an integer in [0, PRIME).")
        if isinstance(got, float) or (isinstance(got, np.floating)):
            return not_yet("you returned a float: dividing in a finite field means multiplying by a modular "
                           "inverse, pow(d, -1, PRIME), not using `/`.")
        if int(got) == secret:
            continue
        over_rationals = sum(Fraction(y) * np.prod([Fraction(xj, xj - x) for xj, _ in points if xj != x])
                             for x, y in points)
        if over_rationals == int(got) or (over_rationals.denominator == 1 and int(got) == int(over_rationals)):
            return not_yet("you interpolated over the rationals: reduce mod PRIME, and replace each division by "
                           "a multiplication with the modular inverse pow(d, -1, PRIME).")
        if int(got) in {y for _, y in points}:
            return not_yet("you returned one of the share values: the secret is the polynomial at x = 0, "
                           "sum_i y_i * prod_{j != i} x_j / (x_j - x_i) mod PRIME.")
        return not_yet(f"with {threshold} shares {points}, f(0) should be {secret}, you returned {got}. "
                       "Check the Lagrange weight prod_{j != i} x_j / (x_j - x_i), computed mod PRIME.")
    return correct("any t shares pin down the degree-(t-1) polynomial, and with it the secret at x = 0.")


def check_precision_bits(bits: int | None, n_clients: int = 1000, value_range: float = 1.0,
                         modulus_bits: int = 32) -> Feedback:
    """Exercise 3: the largest b with precision 2^-b such that ``n_clients`` updates sum without overflow."""
    if bits is not None:
        bits = check_positive_int(bits, "bits", minimum=0)
    n_clients = check_positive_int(n_clients, "n_clients")
    value_range = check_positive(value_range, "value_range")
    modulus_bits = check_positive_int(modulus_bits, "modulus_bits", minimum=2)
    limit = 2 ** (modulus_bits - 1) - 1
    if n_clients * math.ceil(value_range) > limit:
        raise ValueError(f"n_clients={n_clients} updates of size value_range={value_range:g} overflow "
                         f"2^{modulus_bits - 1} even at precision 1: raise modulus_bits")
    right = max(b for b in range(0, 64) if n_clients * math.ceil(value_range * 2**b) <= limit)
    if bits is None:
        return not_yet("set `bits` to a whole number b (the precision is 2**-b).")
    if int(bits) == right:
        return correct(f"b = {right}: {n_clients} clients x {value_range:g} x 2^{right} steps = "
                       f"{n_clients * value_range * 2**right:.3g} stays below 2^{modulus_bits - 1} - 1, so the sum "
                       f"never wraps; each client's rounding error is at most 2^-{right + 1}.")
    if int(bits) > right:
        return not_yet(f"with b = {int(bits)} the sum of {n_clients} updates of size {value_range:g} reaches "
                       f"{n_clients * value_range * 2.0 ** int(bits):.3g}, past 2^{modulus_bits - 1} = "
                       f"{2.0 ** (modulus_bits - 1):.3g}: it wraps around and the decoded sum is garbage.")
    return not_yet(f"b = {int(bits)} is safe but throws precision away: a larger b still keeps "
                   f"n_clients * value_range * 2^b below 2^{modulus_bits - 1}.")
