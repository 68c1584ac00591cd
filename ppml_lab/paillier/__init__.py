"""A teaching Paillier cryptosystem: add numbers that nobody but the key holder can read.

Taught in ``notebooks/07_homomorphic_encryption.ipynb``; follows Paillier (EUROCRYPT 1999), with
g = n + 1 and CRT decryption as in python-paillier (``phe``), which ``tests/test_paillier.py``
checks it against. Two modes of key generation:

* ``mode="toy"``: n of 16 to 2046 bits, primes drawn from a seedable NumPy generator. Fine for a
  lesson (the lesson factors a toy key to break it); never for data: anyone with the seed has the key.
* ``mode="real"``: n of at least :data:`MIN_REAL_KEY_BITS` bits, randomness only from the OS
  (``secrets``); an ``rng`` is refused, for keys and for encryption.

Where ``gmpy2`` (GMP) helps: the cost of Paillier is modular exponentiation of 2048-to-4096-bit
numbers (``r**n mod n**2`` in every encryption, ``c**(p-1) mod p**2`` in decryption), and
``gmpy2.powmod`` does it several times faster than Python's ``pow``; ``gmpy2.next_prime`` (GMP's
sieve plus probable-prime tests) makes key generation take a fraction of a second. Additions are
single multiplications mod n**2, cheap either way.
"""

from .costs import OPERATIONS as OPERATIONS
from .costs import benchmark, expansion_factor, key_size_costs, powmod_seconds, speed_ratio
from .factoring import break_toy_key, factor_modulus, factoring_steps, work_growth
from .keys import (
    DEFAULT_FRACTIONAL_BITS,
    MIN_REAL_KEY_BITS,
    MIN_TOY_KEY_BITS,
    PrivateKey,
    PublicKey,
    generate_keypair,
    private_key_from_factors,
    random_prime,
)
from .keys import MODES as MODES
from .scheme import Ciphertext, add, add_plain, decode, decrypt, encode, encrypt, multiply_plain, rerandomize

__all__ = [
    "MIN_REAL_KEY_BITS", "MIN_TOY_KEY_BITS", "DEFAULT_FRACTIONAL_BITS",
    "PublicKey", "PrivateKey", "Ciphertext",
    "random_prime", "generate_keypair", "private_key_from_factors",
    "encode", "decode", "encrypt", "decrypt", "rerandomize",
    "add", "add_plain", "multiply_plain",
    "factor_modulus", "break_toy_key", "factoring_steps", "work_growth", "expansion_factor",
    "benchmark", "speed_ratio", "powmod_seconds", "key_size_costs",
]

