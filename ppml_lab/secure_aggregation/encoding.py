"""Fixed-point encoding: the floats of a model update as integers mod 2^k, so that masks can hide them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..validation import ParameterTypeError, check_positive, check_positive_int

__all__ = ["FixedPointEncoding"]


def _check_bits(modulus_bits: int) -> int:
    bits = check_positive_int(modulus_bits, "modulus_bits", minimum=8)
    if bits > 64:
        raise ValueError(f"modulus_bits must be an integer in [8, 64], got {bits}")
    return bits


@dataclass(frozen=True)
class FixedPointEncoding:
    """Floats <-> integers mod 2^modulus_bits: x becomes round(x / precision), negatives wrap around.

    Each encoded value is within ``precision / 2`` of the float, so a sum of n updates is exact up to
    ``n * precision / 2`` per coordinate. Values must lie in [-value_range, value_range], and the sum of
    ``n_clients`` of them must not wrap: ``n_clients * value_range / precision < 2^(modulus_bits - 1)``.
    """

    precision: float = 2.0**-16
    value_range: float = 1.0
    modulus_bits: int = 32

    def __post_init__(self) -> None:
        check_positive(self.precision, "precision")
        check_positive(self.value_range, "value_range")
        bits = _check_bits(self.modulus_bits)
        if self.max_clients < 1:
            raise ValueError(f"value_range / precision = {self.value_range / self.precision:.3g} does not fit in "
                             f"2^{bits - 1}: raise precision, lower value_range or use more modulus_bits")

    @property
    def modulus(self) -> int:
        return 2**self.modulus_bits

    @property
    def mask(self) -> np.uint64:
        return np.uint64(self.modulus - 1)

    @property
    def max_clients(self) -> int:
        """How many updates can be summed before the total wraps around the modulus."""
        return int((2 ** (self.modulus_bits - 1) - 1) // math.ceil(self.value_range / self.precision))

    def check_capacity(self, n_clients: int) -> None:
        """Raise ValueError if a sum of ``n_clients`` updates could wrap around the modulus."""
        if n_clients > self.max_clients:
            raise ValueError(f"n_clients={n_clients} updates in [-{self.value_range:g}, {self.value_range:g}] at "
                             f"precision {self.precision:g} can overflow 2^{self.modulus_bits}: at most "
                             f"{self.max_clients} clients fit; raise precision or modulus_bits")

    def check_values(self, values: ArrayLike, name: str = "values") -> np.ndarray:
        """``values`` as a float array, or ValueError if any is non-finite or outside the encodable range."""
        array = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite numbers, got NaN or infinity")
        if array.size and np.abs(array).max() > self.value_range:
            raise ValueError(f"{name} must lie in [-{self.value_range:g}, {self.value_range:g}] (value_range), got "
                             f"a value of {array.flat[np.abs(array).argmax()]:.6g}: clip updates first")
        return array

    def encode(self, values: ArrayLike) -> np.ndarray:
        """Fixed-point integers mod 2^k (uint64): round(x / precision), negatives as 2^k - |x| / precision."""
        array = self.check_values(values)
        return np.rint(array / self.precision).astype(np.int64).astype(np.uint64) & self.mask

    def decode(self, encoded: ArrayLike) -> np.ndarray:
        """Floats from integers mod 2^k, reading the upper half of the ring as negative numbers."""
        ring = np.asarray(encoded, dtype=np.uint64) & self.mask
        signed = ring.astype(np.int64) if self.modulus_bits == 64 else (
            ring.astype(np.int64) - np.where(ring >= np.uint64(2 ** (self.modulus_bits - 1)), self.modulus, 0))
        return signed.astype(float) * self.precision



def _check_encoding(encoding: FixedPointEncoding) -> FixedPointEncoding:
    if not isinstance(encoding, FixedPointEncoding):
        raise ParameterTypeError(f"encoding must be a FixedPointEncoding, got {type(encoding).__name__}")
    return encoding
