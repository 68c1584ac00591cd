"""Checks for the exercises of ``notebooks/06_secure_aggregation.ipynb``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import numpy as np

from .. import shamir
from ..secure_aggregation import FixedPointEncoding, mask_update, prg_mask
from ..validation import ParameterTypeError
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_pairwise_mask", "check_reconstruct", "check_precision_bits", "check_remove_dropped_masks"]

RING = 2**32


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


def _as_ring_array(value: object, size: int, what: str) -> tuple[np.ndarray | None, Feedback | None]:
    """The student's array as int64, or feedback on its type, shape or range (forgetting the modulus)."""
    if value is None:
        return None, not_yet(f"your function returned None: return {what}, an array of {size} integers mod 2^32.")
    array = np.asarray(value)
    if array.shape != (size,) or not np.issubdtype(array.dtype, np.integer):
        return None, not_yet(f"return {what} as an integer array of shape ({size},), got dtype {array.dtype} and "
                                f"shape {array.shape}.")
    if array.min() < 0 or array.max() >= RING:
        return None, not_yet("some values are outside [0, 2^32): you forgot the modulus. Masks and sums live in "
                             "the ring of integers mod 2^32, so reduce with `% 2**32` after subtracting.")
    return array.astype(np.int64), None


def check_pairwise_mask(signed_mask: Callable[[int, int, bytes, int], np.ndarray]) -> Feedback:
    """Exercise 1: ``signed_mask(u, v, seed, size)``, the pairwise mask client u adds for its pair with v."""
    _check_callable(signed_mask, "signed_mask")
    rng = np.random.default_rng(6)
    lower_signs = set()
    for _ in range(6):
        u, v = (int(i) for i in rng.choice(40, 2, replace=False))
        size, seed = int(rng.integers(3, 50)), rng.bytes(32)
        masks = []
        for first, second in [(u, v), (v, u)]:
            value, problem = call_safely(signed_mask, first, second, seed, size)
            if problem is not None:  # a Feedback is falsy when it is a 'not yet'
                return problem
            array, problem = _as_ring_array(value, size, "the mask")
            if problem is not None:
                return problem
            masks.append(array)
        mine, theirs = masks
        if not np.any(mine):
            return not_yet("the mask is all zeros: it hides nothing. Build it from the PRG output of the seed.")
        stream = prg_mask(seed, size).astype(np.int64)
        signs = []
        for array in (mine, theirs):
            if np.array_equal(array, stream):
                signs.append(1)
            elif np.array_equal(array, (-stream) % RING):
                signs.append(-1)
            else:
                return not_yet("the mask should come from the shared seed alone, expanded with "
                               "`sa.prg_mask(seed, size)` (possibly negated mod 2^32): only u and v can compute it.")
        if signs[0] == signs[1]:
            lower_signs.add(signs[0])
            if len(lower_signs) > 1:
                return not_yet("for some pairs both clients add the mask, for others both subtract it: the sign "
                               "seems to come from the seed, which both clients share, so they always agree on "
                               "it. The sign must depend on which of the two clients is asking.")
            continue
        if np.any((mine + theirs) % RING):  # cannot happen with opposite signs, kept as a safety net
            return not_yet(f"client {u}'s and client {v}'s masks do not cancel mod 2^32.")
    if lower_signs:
        word = "add" if lower_signs == {1} else "subtract"
        return not_yet(f"both clients of a pair {word} the same mask, so the server's sum holds twice the mask "
                       "instead of zero: the two clients of a pair must use opposite signs, and each must be "
                       "able to tell which sign is its own from (u, v) alone.")
    return correct("u and v expand the same seed and use opposite signs, decided by an order both agree on, so "
                   "every pair cancels in the server's sum while each masked update alone looks uniform.")


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


def _largest_safe_bits(ring_bits: int, n_clients: int, bound: float) -> int:
    """The package's answer: the finest precision 2^-b whose encoding still sums ``n_clients`` updates."""
    best = -1
    for bits in range(ring_bits):
        try:
            encoding = FixedPointEncoding(precision=2.0**-bits, value_range=bound, modulus_bits=ring_bits)
        except ValueError:
            break
        if encoding.max_clients < n_clients:
            break
        best = bits
    return best


def _precision_cases() -> list[tuple[int, int, float]]:
    rng = np.random.default_rng(63)
    cases = []
    while len(cases) < 6:
        ring_bits = int(rng.choice([16, 24, 32, 48, 64]))
        n_clients = 2 * int(rng.integers(1, 5000)) + 1  # odd: the sum never lands exactly on a power of two
        bound = float(rng.choice([0.25, 0.5, 1.0, 2.0, 4.0, 8.0]))
        if _largest_safe_bits(ring_bits, n_clients, bound) >= 2:
            cases.append((ring_bits, n_clients, bound))
    return cases


def check_precision_bits(precision_bits: Callable[[int, int, float], int]) -> Feedback:
    """Exercise 3: ``precision_bits(ring_bits, n_clients, bound)``, the largest b at which the sum cannot wrap."""
    _check_callable(precision_bits, "precision_bits")
    for ring_bits, n_clients, bound in _precision_cases():
        got, problem = call_safely(precision_bits, ring_bits, n_clients, bound)
        if problem is not None:  # a Feedback is falsy when it is a 'not yet'
            return problem
        call = f"precision_bits({ring_bits}, {n_clients}, {bound:g})"
        if got is None:
            return not_yet(f"{call} returned None: return a whole number b (the precision is 2^-b).")
        if isinstance(got, (float, np.floating)) and not float(got).is_integer():
            return not_yet(f"{call} returned {got}, not a whole number: b is a number of bits, round it the "
                           "safe way.")
        if not isinstance(got, (int, np.integer, float, np.floating)):
            return not_yet(f"{call} returned a {type(got).__name__}: return a whole number.")
        got, right = int(got), _largest_safe_bits(ring_bits, n_clients, bound)
        if got == right:
            continue
        if got == _largest_safe_bits(ring_bits + 1, n_clients, bound):
            return not_yet(f"{call}: you let the sum use the whole ring 2^{ring_bits}, but updates are signed: the "
                           "decoder reads the upper half of the ring as negative numbers, so a positive sum has "
                           f"only 2^{ring_bits - 1} values before it wraps into the negatives.")
        if got == _largest_safe_bits(ring_bits, 1, bound):
            return not_yet(f"{call}: your b keeps ONE update inside the ring, but the server adds {n_clients} of "
                           "them, and it is their sum that must not wrap: you forgot n_clients.")
        if got == _largest_safe_bits(ring_bits, n_clients, 1.0):
            return not_yet(f"{call}: your b would be right for updates in [-1, 1], but these lie in "
                           f"[-{bound:g}, {bound:g}]: you forgot the bound.")
        if got > right:
            return not_yet(f"{call}: with b = {got} the worst-case sum can wrap around the ring, and the decoded "
                           "sum is then garbage (off by a whole ring). Count the worst case exactly, in steps.")
        return not_yet(f"{call}: b = {got} is safe but throws precision away: a larger b still cannot wrap. "
                       "Check for an off-by-one in your rounding.")
    return correct("the worst-case sum, in steps of 2^-b, must fit in the positive half of the ring: every bit "
                   "more precision halves the number of clients the ring can hold.")


def _dropout_case(rng: np.random.Generator) -> dict[str, object]:
    n_clients, size = int(rng.integers(4, 9)), int(rng.integers(3, 20))
    dropped = sorted(int(d) for d in rng.choice(n_clients, int(rng.integers(1, n_clients - 1)), replace=False))
    survivors = [u for u in range(n_clients) if u not in dropped]
    seeds = {(u, v): rng.bytes(32) for u in range(n_clients) for v in range(u + 1, n_clients)}
    seed = {**seeds, **{(v, u): s for (u, v), s in seeds.items()}}
    encoded = rng.integers(0, RING, size=(n_clients, size)).astype(np.uint64)
    masked_sum = np.zeros(size, dtype=np.uint64)
    for u in survivors:  # the dropped clients never sent: their updates and masks are missing from the sum
        peers = {v: seed[u, v] for v in range(n_clients) if v != u}
        masked_sum = (masked_sum + mask_update(encoded[u], u, None, peers)) % np.uint64(RING)
    expected = encoded[survivors].astype(np.int64).sum(axis=0) % RING
    dropped_seeds = {d: {v: seed[d, v] for v in range(n_clients) if v != d} for d in dropped}
    return {"masked_sum": masked_sum, "survivors": survivors, "dropped_seeds": dropped_seeds, "expected": expected}


def _removed(masked_sum: np.ndarray, survivors: list[int], dropped_seeds: Mapping[int, Mapping[int, bytes]],
             sign: Callable[[int, int], int]) -> np.ndarray:
    """The sum after removing the survivor-dropped masks with a given (possibly wrong) sign rule."""
    total = masked_sum.astype(np.int64)
    for dropped, peers in dropped_seeds.items():
        for peer, seed in peers.items():
            if peer in survivors:
                total = total - sign(peer, dropped) * prg_mask(seed, total.size).astype(np.int64)
    return total % RING


def check_remove_dropped_masks(remove_dropped_masks: Callable[..., np.ndarray]) -> Feedback:
    """Exercise 4: ``remove_dropped_masks(masked_sum, survivors, dropped_seeds)``, the survivors' true sum."""
    _check_callable(remove_dropped_masks, "remove_dropped_masks")
    rng = np.random.default_rng(64)
    for _ in range(4):
        case = _dropout_case(rng)
        masked_sum, survivors, dropped_seeds = case["masked_sum"], case["survivors"], case["dropped_seeds"]
        got, problem = call_safely(remove_dropped_masks, masked_sum.copy(), list(survivors),
                                   {d: dict(peers) for d, peers in dropped_seeds.items()})
        if problem is not None:  # a Feedback is falsy when it is a 'not yet'
            return problem
        array, problem = _as_ring_array(got, masked_sum.size, "the unmasked sum")
        if problem is not None:
            return problem
        if np.array_equal(array, case["expected"]):
            continue
        where = f"with survivors {survivors} and dropped clients {sorted(dropped_seeds)}"
        mistakes = [
            (lambda u, d: -1 if u < d else 1, "you added the masks back instead of removing them: the wrong sign. "
             "Removing what survivor u added means applying the opposite of u's sign."),
            (lambda u, d: 1, "you removed every mask with the same sign, but survivor u added the mask of its pair "
             "with d with a sign that depends on u and d: undo each with its own sign."),
            (lambda u, d: -1, "you removed every mask with the same sign, but survivor u added the mask of its pair "
             "with d with a sign that depends on u and d: undo each with its own sign."),
        ]
        for sign, message in mistakes:
            if np.array_equal(array, _removed(masked_sum, survivors, dropped_seeds, sign)):
                return not_yet(f"{where}: {message}")
        if np.array_equal(array, masked_sum.astype(np.int64)):
            return not_yet(f"{where}: you returned the masked sum unchanged: the survivors' masks with the dropped "
                           "clients have no partner left in the sum, so the server must remove them.")
        return not_yet(f"{where}: the result is not the survivors' sum. Each survivor u added one mask per "
                       "dropped client d, with u's sign for that pair; undo exactly those, mod 2^32.")
    return correct("each survivor's mask with a dropped client has lost its partner, so the server, holding the "
                   "reconstructed seeds, undoes exactly those masks with the survivor's own sign.")
