"""The protocol's primitives: key pairs, agreed seeds, the AES-CTR pseudo-random generator, masking."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..seeding import crypto_rng
from ..validation import ParameterTypeError, check_positive_int
from .encoding import _check_bits

__all__ = ["new_private_key", "new_identity_key", "agree_seed", "prg_mask", "mask_update"]

SEED_BYTES = 32


def _check_bytes(value: bytes, name: str, length: int) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != length:
        shown = (f"{len(value)} bytes" if isinstance(value, (bytes, bytearray))
                 else f"{value!r:.40} of type {type(value).__name__}")
        raise ValueError(f"{name} must be {length} bytes, got {shown}")
    return bytes(value)


def new_private_key(rng: np.random.Generator | int | None = None) -> X25519PrivateKey:
    """An X25519 private key: from the OS CSPRNG, or (teaching only) from 32 bytes drawn from ``rng``."""
    generator = crypto_rng(rng)
    if generator is None:
        return X25519PrivateKey.generate()
    return X25519PrivateKey.from_private_bytes(generator.bytes(32))


def new_identity_key(rng: np.random.Generator | int | None = None) -> Ed25519PrivateKey:
    """A long-term Ed25519 signing key, whose public half a PKI vouches for (Bonawitz et al.'s active setting)."""
    generator = crypto_rng(rng)
    if generator is None:
        return Ed25519PrivateKey.generate()
    return Ed25519PrivateKey.from_private_bytes(generator.bytes(32))


def agree_seed(private_key: X25519PrivateKey, peer_public_key: bytes, purpose: bytes = b"pairwise mask") -> bytes:
    """32-byte seed both ends derive: X25519 shared secret, then HKDF-SHA256 bound to ``purpose``."""
    if not isinstance(private_key, X25519PrivateKey):
        raise ParameterTypeError(f"private_key must be an X25519PrivateKey, got {type(private_key).__name__}")
    peer_public_key = _check_bytes(peer_public_key, "peer_public_key", 32)
    if not isinstance(purpose, bytes):
        raise ParameterTypeError(f"purpose must be bytes, got {type(purpose).__name__}")
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(peer_public_key))
    return HKDF(algorithm=hashes.SHA256(), length=SEED_BYTES, salt=None,
                info=b"ppml-lab secure aggregation: " + purpose).derive(shared)


def _ring_width(modulus_bits: int) -> int:
    return 4 if modulus_bits <= 32 else 8


def prg_mask(seed: bytes, size: int, modulus_bits: int = 32) -> np.ndarray:
    """Expand a 32-byte seed into ``size`` uniform integers mod 2^modulus_bits (AES-256-CTR keystream)."""
    seed = _check_bytes(seed, "seed", SEED_BYTES)
    size = check_positive_int(size, "size", minimum=0)
    modulus_bits = _check_bits(modulus_bits)
    width = _ring_width(modulus_bits)
    keystream = Cipher(algorithms.AES(seed), modes.CTR(bytes(16))).encryptor().update(bytes(width * size))
    return np.frombuffer(keystream, dtype=f"<u{width}").astype(np.uint64) & np.uint64(2**modulus_bits - 1)


def mask_update(encoded: np.ndarray, index: int, self_seed: bytes | None, pairwise_seeds: Mapping[int, bytes],
                modulus_bits: int = 32) -> np.ndarray:
    """y_u = x_u + PRG(b_u) + sum_v ±PRG(s_uv) mod 2^k: + when u < v, - when u > v, so pairs cancel.

    ``self_seed=None`` leaves the self mask PRG(b_u) out (the insecure variant the lesson attacks).
    """
    modulus_bits = _check_bits(modulus_bits)
    array = np.asarray(encoded)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or (array.size and (
            array.min() < 0 or array.max() >= 2**modulus_bits)):
        raise ValueError(f"encoded must be a 1-D array of integers in [0, 2^{modulus_bits}) (an encoded update), "
                         f"got dtype {array.dtype} and shape {array.shape}")
    index = check_positive_int(index, "index", minimum=0)
    if self_seed is not None:
        _check_bytes(self_seed, "self_seed", SEED_BYTES)
    if not isinstance(pairwise_seeds, Mapping):
        raise ParameterTypeError(f"pairwise_seeds must be a mapping peer -> 32-byte seed, got "
                                 f"{type(pairwise_seeds).__name__}")
    for peer, seed in pairwise_seeds.items():
        if check_positive_int(peer, "pairwise_seeds peer", minimum=0) == index:
            raise ValueError(f"pairwise_seeds must not hold the client's own index={index}")
        _check_bytes(seed, f"pairwise_seeds[{peer}]", SEED_BYTES)
    encoded = array.astype(np.uint64)
    masked = encoded if self_seed is None else encoded + prg_mask(self_seed, encoded.size, modulus_bits)
    for peer, seed in pairwise_seeds.items():
        pairwise = prg_mask(seed, encoded.size, modulus_bits)
        masked = masked + pairwise if index < peer else masked - pairwise  # uint64 wraps mod 2^64
    return masked & np.uint64(2**modulus_bits - 1)


def _ring_to_bytes(values: np.ndarray, modulus_bits: int) -> bytes:
    return values.astype(f"<u{_ring_width(modulus_bits)}").tobytes()


def _ring_from_bytes(data: bytes, modulus_bits: int) -> np.ndarray:
    return np.frombuffer(data, dtype=f"<u{_ring_width(modulus_bits)}").astype(np.uint64)


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")
