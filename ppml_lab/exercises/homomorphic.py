"""Checks for the exercises of ``notebooks/07_homomorphic_encryption.ipynb``."""

from __future__ import annotations

import operator
import signal
import threading
import time
from collections.abc import Callable
from numbers import Integral

import numpy as np

from .. import paillier
from .. import secret_sharing as ss
from ..validation import ParameterTypeError
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_encrypted_weighted_sum", "check_factoring", "check_beaver_share"]

FACTORING_SECONDS = 10.0  # per modulus; the reference trial division needs well under a second at 40 bits


def _check_function(function: Callable, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


def check_encrypted_weighted_sum(weighted_sum: Callable[[list[int], list[int], int], int]) -> Feedback:
    """Exercise 1: Enc(sum_i w_i m_i) from raw Paillier ciphertexts c_i, public integer weights w_i and n."""
    _check_function(weighted_sum, "weighted_sum")
    public_key, private_key = paillier.generate_keypair(64, "toy", rng=71)
    messages, weights = [12, -7, 30], [3, 5, -2]
    ciphertexts = [int(paillier.encrypt(public_key, m, rng=72 + i).value) for i, m in enumerate(messages)]
    n, n_square = public_key.n, public_key.n * public_key.n
    result, problem = call_safely(weighted_sum, list(ciphertexts), list(weights), n)
    if problem is not None:
        return problem
    if result is None:
        return not_yet("your function returned None: return the combined ciphertext (an integer mod n**2).")
    if isinstance(result, bool) or not isinstance(result, Integral) and not hasattr(result, "__index__"):
        return not_yet(f"return one integer (a ciphertext), not a {type(result).__name__}.")
    result = int(result)
    if result % n_square in (sum(c * w for c, w in zip(ciphertexts, weights)) % n_square, sum(ciphertexts) % n_square):
        return not_yet("you added ciphertexts as if they were numbers. In Paillier, *multiplying* ciphertexts "
                       "adds the plaintexts, and raising a ciphertext to the power w multiplies its plaintext by w.")
    if not 0 <= result < n_square:
        return not_yet("the result is not in [0, n**2): reduce it modulo n**2 (pow(c, w, n * n) does so as it goes).")
    try:
        value = paillier.decrypt(private_key, paillier.Ciphertext(result, public_key))
    except (OverflowError, ValueError):
        value = None
    expected = sum(w * m for w, m in zip(weights, messages))
    if value == expected:
        return correct(f"the key holder decrypts {expected} = 3*12 + 5*(-7) - 2*30, and your code never saw a message.")
    if value == sum(messages):
        return not_yet("that decrypts to the plain sum of the messages: the weights are missing. Raise each "
                       "ciphertext to its weight, mod n**2, before multiplying.")
    if value is not None and value == sum(abs(w) * m for w, m in zip(weights, messages)):
        return not_yet("the negative weight lost its sign: pow(c, -2, n * n) inverts c mod n**2 first "
                       "(Enc(m)**-1 = Enc(-m)).")
    return not_yet(f"it decrypts to {value!r}, not {expected}. Multiply the ciphertexts c_i ** w_i together, "
                   "everything mod n**2.")


def _toy_moduli() -> tuple[list[tuple[int, str]], paillier.PublicKey, paillier.Ciphertext]:
    """Seeded toy moduli of 24 to 40 bits, one of them p*p, and a salary encrypted under the 40-bit key."""
    rng = np.random.default_rng(73)
    moduli = []
    for bits in (24, 32, 40):
        public_key, _ = paillier.generate_keypair(bits, "toy", rng=rng)
        moduli.append((public_key.n, f"the {bits}-bit n"))
    same_prime = paillier.random_prime(18, rng=rng)  # a key generator that drew the same prime twice
    moduli.insert(2, (same_prime * same_prime, "the 36-bit n = p * p (p = q)"))
    salary = paillier.encrypt(public_key, int(rng.integers(30_000, 120_000)), rng=rng)
    return moduli, public_key, salary


class _TooSlow(BaseException):
    """Raised inside the student's function when its time is up (a BaseException, so ``except Exception``
    in their code does not swallow it)."""


def _call_with_time_limit(function: Callable, argument: int, seconds: float) -> tuple[object, Feedback | None, bool]:
    """``call_safely(function, argument)`` stopped after ``seconds`` (by SIGALRM where the platform has it and this
    is the main thread; elsewhere it runs to the end and is only measured): (result, problem, too_slow)."""
    start = time.perf_counter()
    if not (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()):
        result, problem = call_safely(function, argument)
        return result, problem, time.perf_counter() - start > seconds

    def stop(signum, frame):  # noqa: ARG001 - a signal handler's signature
        raise _TooSlow

    previous_handler = signal.signal(signal.SIGALRM, stop)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    result, problem, too_slow = None, None, False
    try:
        try:
            result, problem = call_safely(function, argument)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _TooSlow:  # also when the alarm fires between the call's return and the timer's stop
        too_slow = True
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous_handler is None else previous_handler)
        if previous_timer[0] > 0:  # somebody else's alarm was pending: give it back what is left of it
            left = previous_timer[0] - (time.perf_counter() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), previous_timer[1])
    return result, problem, too_slow or time.perf_counter() - start > seconds


def _as_factor_pair(result: object) -> tuple[tuple[int, int] | None, str | None]:
    """The student's answer as two Python ints, or a message naming what else it is."""
    if result is None:
        return None, "your function returned None: return a pair (p, q) with p * q == n."
    try:
        pair = tuple(result)
    except TypeError:
        return None, f"return a pair of integers (p, q), got a {type(result).__name__}: {result!r}."
    if len(pair) != 2:
        return None, f"return a pair of integers (p, q), got {len(pair)} values: {result!r}."
    if any(isinstance(v, float) for v in pair):
        return None, ("a factor is a float: n / p divides in floating point, which keeps only 53 bits (a real "
                      "key has 1024-bit primes). Use integer division, n // p.")
    if any(isinstance(v, bool) or not isinstance(v, Integral) for v in pair):
        return None, f"return a pair of integers (p, q), got {result!r}."
    return (int(pair[0]), int(pair[1])), None


def check_factoring(factor: Callable[[int], tuple[int, int]]) -> Feedback:
    """Exercise 2: factor toy moduli n = p*q (24 to 40 bits, one with p = q) and so break the key.

    The moduli are drawn from a seed, so only a function that factors passes; each call has
    ``FACTORING_SECONDS`` seconds.
    """
    _check_function(factor, "factor")
    moduli, public_key, salary = _toy_moduli()
    square = moduli[2][1]
    factors, missed = {}, {}  # which -> (p, q); which -> what came back instead
    for n, which in moduli:
        result, problem, too_slow = _call_with_time_limit(factor, n, FACTORING_SECONDS)
        if too_slow:
            return not_yet(f"{which} took longer than {FACTORING_SECONDS:.0f} s. Its smaller prime is at most "
                           f"sqrt(n) < 2^{(n.bit_length() + 1) // 2}: a search that looks further (up to n, down "
                           "from n, or over pairs of primes) does far more work than needed. For larger keys, "
                           "Pollard's rho (section 3) needs only about n^(1/4) steps.")
        if problem is not None:
            missed[which] = ("raised", problem.message)
            continue
        if result is None:
            missed[which] = ("none", "as None")
            continue
        pair, message = _as_factor_pair(result)
        if message is not None:
            return not_yet(f"on {which}, {message}")
        p, q = pair
        if {p, q} == {1, n}:
            missed[which] = ("trivial", "as (1, n)")
        elif p * q != n or min(p, q) < 2:
            return not_yet(f"on {which}: {p} * {q} = {p * q}, not n = {n}. Return the two primes of n, both > 1.")
        else:
            factors[which] = pair
    kinds = {kind for kind, _ in missed.values()}
    if len(missed) == len(moduli) and kinds == {"trivial"}:
        return not_yet("1 and n always multiply to n, whatever n is: that breaks nothing. Find the two primes "
                       "p, q > 1 with p * q == n.")
    raised = [(which, detail) for which, (kind, detail) in missed.items() if kind == "raised"]
    if raised and (len(missed) > 1 or square not in missed):
        which, detail = raised[0]
        if len(raised) == len(moduli) and len({detail for _, detail in raised}) == 1:
            return not_yet(detail)  # the same on every modulus (the stub, say): no need to say where
        return not_yet(f"on {which}, {detail}")
    if len(missed) == len(moduli):
        return not_yet("your function returned None: return a pair (p, q) of integers with p * q == n.")
    if list(missed) == [square]:
        kind, detail = missed[square]
        outcome = f"on {square}, {detail}" if kind == "raised" else f"{square} came back {detail}"
        return not_yet(f"{outcome}, though the other moduli were factored. When p = q, the prime is "
                       "exactly sqrt(n): a trial division must test that divisor too (its last divisor d is the "
                       "one with d * d == n, so the test is d * d <= n, not d * d < n).")
    if missed:
        which = next(which for which in missed if which != square)
        return not_yet(f"{which} came back {missed[which][1]}: your search stopped before it found the smaller "
                       "prime. That prime can be as large as sqrt(n), so the search must go all the way up to "
                       "sqrt(n) (no fixed bound, no float that rounds it down).")
    stolen = paillier.private_key_from_factors(public_key, *factors[moduli[-1][1]])
    return correct(f"{len(moduli)} moduli of 24 to 40 bits factored, p = q included. With the 40-bit key's "
                   f"factors the intercepted salary decrypts to {paillier.decrypt(stolen, salary):,}: the whole "
                   "key hangs on factoring being hard.")


def _as_share(z: object) -> tuple[int | None, str | None]:
    """A party's share as a Python int, or a message naming what the student returned instead."""
    if isinstance(z, float):
        return None, ("z_i is a float: floats keep only 53 bits and the field has 127 (prime = 2^127 - 1). "
                      "Stay with integers: +, *, % (and // if you divide), never / or float().")
    if isinstance(z, bool) or not isinstance(z, Integral) and not hasattr(z, "__index__"):
        return None, f"return party i's share z_i as one integer mod prime, not a {type(z).__name__} ({z!r:.60})."
    try:
        return operator.index(z), None
    except TypeError:
        return None, f"return party i's share z_i as one integer mod prime, not a {type(z).__name__}."


def check_beaver_share(local_share: Callable[[int, int, int, int, int, int, int], int]) -> Feedback:
    """Exercise 3: party i's share z_i of x*y from its triple shares (a_i, b_i, c_i) and the opened d, e."""
    _check_function(local_share, "local_share")
    rng = np.random.default_rng(75)
    prime, n_parties = ss.DEFAULT_PRIME, 3
    for x, y in [(6, 7), (-12, 40), (1_000_003, -999)]:
        sx, sy = ss.share(x, n_parties, prime, rng), ss.share(y, n_parties, prime, rng)
        triple = ss.deal_beaver_triple(n_parties, prime, rng)
        d, e = ss.open_masked_differences(sx, sy, triple, prime)
        shares = []
        for i in range(n_parties):
            z, problem = call_safely(local_share, i, triple.a[i], triple.b[i], triple.c[i], d, e, prime)
            if problem is not None:
                return problem
            if z is None:
                return not_yet("your function returned None: return party i's share z_i (an integer mod prime).")
            share, message = _as_share(z)
            if message is not None:
                return not_yet(message)
            shares.append(share)
        if any(not 0 <= z < prime for z in shares):
            return not_yet("a share is not in [0, prime): reduce z_i modulo prime.")
        got = ss.reconstruct(shares, prime)
        if got == x * y:
            continue
        offset = (got - x * y) % prime
        de = d * e % prime
        if offset == (n_parties - 1) * de % prime:
            return not_yet("every party added d*e, so it counts 3 times. Only one party (party 0) adds the public d*e.")
        if offset == (-de) % prime:
            return not_yet("nobody added d*e: x*y = c + d*b + e*a + d*e, and party 0 must add the public d*e term.")
        return not_yet(f"for x = {x}, y = {y} the shares reconstruct to {got}, not {x * y}. Party i holds "
                       "z_i = c_i + d*b_i + e*a_i (plus d*e for party 0), mod prime.")
    return correct("three products computed on shares: no party saw x or y, only the masked d and e.")
