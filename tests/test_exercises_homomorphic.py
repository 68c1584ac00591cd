"""The exercise checks of notebook 07 accept right answers and say what is wrong with common mistakes."""

from __future__ import annotations

import math
import signal
import time

import gmpy2
import numpy as np

from ppml_lab.exercises import homomorphic as ex


def not_implemented(*args):
    raise NotImplementedError


def test_weighted_sum_check():
    def right(ciphertexts, weights, n):
        return math.prod(pow(c, w, n * n) for c, w in zip(ciphertexts, weights)) % (n * n)

    assert ex.check_encrypted_weighted_sum(right).passed
    unweighted = ex.check_encrypted_weighted_sum(lambda cs, ws, n: math.prod(cs) % (n * n))
    assert not unweighted.passed and "weights are missing" in unweighted.message
    as_numbers = ex.check_encrypted_weighted_sum(lambda cs, ws, n: sum(c * w for c, w in zip(cs, ws)))
    assert not as_numbers.passed and "added ciphertexts" in as_numbers.message
    placeholder = ex.check_encrypted_weighted_sum(not_implemented)
    assert not placeholder.passed and "NotImplementedError" in placeholder.message


def trial_division(n):
    """The reference solution of the notebook."""
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return divisor, n // divisor
        divisor += 2
    return 1, n


def test_factoring_check_passes_the_reference_within_a_second():
    start = time.perf_counter()
    feedback = ex.check_factoring(trial_division)
    assert feedback.passed, feedback.message
    assert time.perf_counter() - start < 3.0  # well under a second alone; the margin is for a loaded machine
    assert ex.check_factoring(lambda n: tuple(reversed(trial_division(n)))).passed  # either order
    assert ex.check_factoring(lambda n: [np.int64(v) for v in trial_division(n)]).passed


def test_factoring_check_draws_several_moduli_including_a_square():
    moduli, public_key, _ = ex._toy_moduli()
    sizes = [n.bit_length() for n, _ in moduli]
    assert min(sizes) == 24 and max(sizes) == 40 and len(set(n for n, _ in moduli)) == len(moduli) >= 4
    assert sum(math.isqrt(n) ** 2 == n for n, _ in moduli) == 1
    assert public_key.n == moduli[-1][0]
    seen = {}
    # an answer hard-coded for one n fails on the others
    hard_coded = ex.check_factoring(lambda n: seen.setdefault("first", trial_division(n)))
    assert not hard_coded.passed


def test_factoring_check_names_the_typical_mistakes():
    trivial = ex.check_factoring(lambda n: (1, n))
    assert not trivial.passed and "1 and n" in trivial.message

    def misses_square_root(n):  # range's end is exclusive: sqrt(n) itself is never tried
        for divisor in range(3, math.isqrt(n), 2):
            if n % divisor == 0:
                return divisor, n // divisor
        return None

    def strict_bound_raises(n):
        divisor = 3
        while divisor * divisor < n:
            if n % divisor == 0:
                return divisor, n // divisor
            divisor += 2
        raise ValueError("no factor found")

    for mistake in (misses_square_root, strict_bound_raises):
        feedback = ex.check_factoring(mistake)
        assert not feedback.passed and "p = q" in feedback.message and "d * d <= n" in feedback.message

    def fixed_bound(n):
        for divisor in range(3, 2**16, 2):
            if n % divisor == 0:
                return divisor, n // divisor
        return 1, n

    early = ex.check_factoring(fixed_bound)
    assert not early.passed and "stopped before" in early.message and "40-bit" in early.message

    floats = ex.check_factoring(lambda n: (trial_division(n)[0], n / trial_division(n)[0]))
    assert not floats.passed and "float" in floats.message and "n // p" in floats.message

    wrong = ex.check_factoring(lambda n: (3, 5))
    assert not wrong.passed and "not n" in wrong.message


def test_factoring_check_stops_a_slow_search_and_names_pollard_rho(monkeypatch):
    monkeypatch.setattr(ex, "FACTORING_SECONDS", 0.3)

    def from_the_top(n):  # correct, but about n steps instead of sqrt(n)
        for divisor in range(n - 2, 1, -2):
            if n % divisor == 0:
                return n // divisor, divisor
        return 1, n

    def swallows_everything(n):
        try:
            while True:
                pass
        except Exception:  # noqa: BLE001 - the student's code; the time limit must still stop it
            return 1, n

    for slow in (from_the_top, swallows_everything):
        start = time.perf_counter()
        feedback = ex.check_factoring(slow)
        assert not feedback.passed and "took longer" in feedback.message and "Pollard's rho" in feedback.message
        assert time.perf_counter() - start < 5.0
    assert ex.check_factoring(trial_division).passed  # the alarm is gone: a later call is not interrupted
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_factoring_check_gives_feedback_for_stub_raising_and_wrong_types():
    assert not ex.check_factoring(lambda n: None).passed
    stub = ex.check_factoring(not_implemented)
    assert not stub.passed and "NotImplementedError" in stub.message
    assert stub.message.startswith("the function still raises")  # the same everywhere: no modulus named
    crash = ex.check_factoring(lambda n: 1 // 0)
    assert not crash.passed and "ZeroDivisionError" in crash.message
    crash_at_40_bits = ex.check_factoring(lambda n: trial_division(n) if n.bit_length() < 40 else 1 // 0)
    assert not crash_at_40_bits.passed and crash_at_40_bits.message.startswith("on the 40-bit n, calling it raised")
    for answer in ("35", 35, (1, 2, 3), {"p": 5}, (True, 3), (None, None)):
        feedback = ex.check_factoring(lambda n, answer=answer: answer)
        assert not feedback.passed and feedback.message


def test_beaver_share_check():
    def right(i, a, b, c, d, e, prime):
        return (c + d * b + e * a + (d * e if i == 0 else 0)) % prime

    assert ex.check_beaver_share(right).passed
    everyone = ex.check_beaver_share(lambda i, a, b, c, d, e, p: (c + d * b + e * a + d * e) % p)
    assert not everyone.passed and "Only one party" in everyone.message
    nobody = ex.check_beaver_share(lambda i, a, b, c, d, e, p: (c + d * b + e * a) % p)
    assert not nobody.passed and "nobody added d*e" in nobody.message
    assert not ex.check_beaver_share(not_implemented).passed


def test_beaver_share_check_gives_feedback_for_non_integer_shares():
    def right(i, a, b, c, d, e, prime):
        return (c + d * b + e * a + (d * e if i == 0 else 0)) % prime

    as_float = ex.check_beaver_share(lambda *args: float(right(*args)))
    assert not as_float.passed and "float" in as_float.message and "53 bits" in as_float.message
    for answer in ("7", [1], None, True, 2.5j, np.array([1, 2])):
        feedback = ex.check_beaver_share(lambda *args, answer=answer: answer)
        assert not feedback.passed and feedback.message
    assert not ex.check_beaver_share(lambda *args: np.int64(right(*args) % 2**62)).passed  # a wrong numpy integer
    assert ex.check_beaver_share(lambda *args: gmpy2.mpz(right(*args))).passed
