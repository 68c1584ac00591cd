"""What Paillier costs: ciphertext expansion, operations per second against ``phe``, and GMP's speed-up."""

from __future__ import annotations

import time

import gmpy2
import numpy as np
import pandas as pd

from ..validation import ParameterTypeError, check_one_of, check_positive_int
from .keys import MIN_REAL_KEY_BITS, MIN_TOY_KEY_BITS, _random_below, _random_bits, generate_keypair
from .scheme import decrypt, encrypt

__all__ = ["expansion_factor", "benchmark", "speed_ratio", "powmod_seconds", "key_size_costs"]


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
    check_one_of(n_bits, sizes, "n_bits (one of the benchmarked key sizes)")
    rows = timings[timings["n_bits"] == n_bits].set_index("implementation")[operations]
    return {"ms": (1000 / rows).to_dict(orient="index"), "expansion": expansion_factor(n_bits, 64)}
