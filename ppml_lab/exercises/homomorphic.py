"""Checks for the exercises of ``notebooks/07_homomorphic_encryption.ipynb``."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np

from .. import paillier
from .. import secret_sharing as ss
from ..validation import ParameterTypeError
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_encrypted_weighted_sum", "check_factoring", "check_beaver_share"]


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


def check_factoring(factor: Callable[[int], tuple[int, int]]) -> Feedback:
    """Exercise 2: factor a toy modulus n = p*q (32 bits) and so break the key."""
    _check_function(factor, "factor")
    public_key, _ = paillier.generate_keypair(32, "toy", rng=73)
    secret = paillier.encrypt(public_key, 4213, rng=74)  # the intercepted salary
    n = public_key.n
    result, problem = call_safely(factor, n)
    if problem is not None:
        return problem
    if result is None:
        return not_yet("your function returned None: return a pair (p, q) with p * q == n.")
    try:
        p, q = (int(v) for v in result)
    except (TypeError, ValueError):
        return not_yet(f"return a pair of integers (p, q), got {result!r}.")
    if {p, q} == {1, n}:
        return not_yet("1 and n always multiply to n: find the two primes of n/2 bits each "
                       "(trial division by odd numbers up to sqrt(n) is enough for 32 bits).")
    if p * q != n or min(p, q) < 2:
        return not_yet(f"{p} * {q} = {p * q}, not n = {n}.")
    stolen = paillier.private_key_from_factors(public_key, p, q)
    return correct(f"n = {min(p, q)} * {max(p, q)}. With the factors the intercepted ciphertext decrypts to "
                   f"{paillier.decrypt(stolen, secret)}: the whole key hangs on factoring being hard.")


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
            shares.append(int(z))
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
