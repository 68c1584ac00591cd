"""The attack on toy keys: factor n with Pollard's rho, rebuild the private key, and see the work grow."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..validation import ParameterTypeError, check_positive_int
from .keys import MIN_TOY_KEY_BITS, PrivateKey, PublicKey, _check_public_key, generate_keypair, private_key_from_factors

__all__ = ["factor_modulus", "break_toy_key", "factoring_steps", "work_growth"]


# ----------------------------------------------------------------------------- attack and costs

def factor_modulus(n: int, max_iterations: int = 10_000_000) -> tuple[int, int, int]:
    """Factor n = p*q with Pollard's rho (Floyd cycle finding, x -> x**2 + 1): returns (p, q, iterations).

    Needs about sqrt(p) steps: instant for toy keys, ~2**512 steps for a 2048-bit key.
    """
    n = check_positive_int(n, "n", minimum=4)
    max_iterations = check_positive_int(max_iterations, "max_iterations")
    if n % 2 == 0:
        return 2, n // 2, 1
    for c in range(1, 20):  # a different polynomial if the cycle closes on n itself
        x = y = 2
        for iteration in range(1, max_iterations + 1):
            x = (x * x + c) % n
            y = (y * y + c) % n
            y = (y * y + c) % n
            d = math.gcd(abs(x - y), n)
            if d == n:
                break
            if d > 1:
                p, q = sorted((d, n // d))
                return p, q, iteration
        else:
            raise ValueError(f"no factor of n found in max_iterations={max_iterations} steps")
    raise ValueError(f"n={n} could not be factored (is it prime?)")


def break_toy_key(public_key: PublicKey) -> PrivateKey:
    """The attack on a toy key: factor n from the public key and rebuild the private key."""
    _check_public_key(public_key)
    p, q, _ = factor_modulus(public_key.n)
    return private_key_from_factors(public_key, p, q)


def factoring_steps(bit_sizes: list[int], n_keys: int = 3) -> pd.DataFrame:
    """Pollard-rho steps to factor seeded toy moduli (seeds 0 .. n_keys-1) of each size, against the
    sqrt(p) = 2**(bits/4) prediction: columns n_bits, mean_steps, log2_mean_steps, log2_predicted."""
    if isinstance(bit_sizes, (str, bytes)) or not hasattr(bit_sizes, "__iter__"):
        raise ParameterTypeError(f"bit_sizes must be a list of even key sizes, got {type(bit_sizes).__name__}")
    sizes = [check_positive_int(bits, "bit_sizes", minimum=MIN_TOY_KEY_BITS) for bits in bit_sizes]
    if not sizes or any(bits % 2 or bits > 96 for bits in sizes):
        raise ValueError(f"bit_sizes must be a non-empty list of even sizes in [{MIN_TOY_KEY_BITS}, 96] "
                         f"(rho needs ~2**(bits/4) steps), got {list(bit_sizes)}")
    n_keys = check_positive_int(n_keys, "n_keys")
    rows = []
    for bits in sizes:
        steps = [factor_modulus(generate_keypair(bits, "toy", rng=seed)[0].n)[2] for seed in range(n_keys)]
        rows.append({"n_bits": bits, "mean_steps": float(np.mean(steps))})
    table = pd.DataFrame(rows)
    table["log2_mean_steps"] = np.log2(table["mean_steps"])
    table["log2_predicted"] = table["n_bits"] / 4
    return table


def work_growth(table: pd.DataFrame, extra_bits: int = 8) -> float:
    """Factor by which the measured work grows per ``extra_bits`` more bits of n: 2**(extra_bits * slope)
    of a least-squares line through log2(mean steps); sqrt(p) predicts 2**(extra_bits / 4)."""
    if not isinstance(table, pd.DataFrame) or not {"n_bits", "log2_mean_steps"} <= set(table.columns) \
            or len(table) < 2:
        raise ParameterTypeError("table must be a factoring_steps DataFrame of at least two key sizes, "
                                 f"got {type(table).__name__}")
    extra_bits = check_positive_int(extra_bits, "extra_bits")
    slope = np.polyfit(table["n_bits"].to_numpy(float), table["log2_mean_steps"].to_numpy(float), 1)[0]
    return float(2.0 ** (extra_bits * slope))
