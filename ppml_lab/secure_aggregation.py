"""Secure aggregation: the server learns the sum of the clients' updates and nothing else.

Taught in ``notebooks/06_secure_aggregation.ipynb``; measured by ``benchmarks/secure_aggregation.py``.
Follows Bonawitz et al. 2017, "Practical Secure Aggregation for Privacy-Preserving Machine Learning"
(CCS), the semi-honest variant of its Section 4 protocol (its actively secure version adds signed keys
under a PKI, here only the ``identity_key`` / ``pki`` options of :class:`SecAggClient`, and a
consistency-check round, not implemented):

0. *AdvertiseKeys*: client u makes two X25519 key pairs, ``c_u`` (to encrypt shares for other
   clients) and ``s_u`` (to agree pairwise mask seeds), and sends both public keys.
1. *ShareKeys*: u draws a self-mask seed ``b_u``, Shamir-shares ``b_u`` and ``s_u``'s private key
   t-of-n (:mod:`ppml_lab.shamir`), and sends each peer v its two shares encrypted with AES-GCM under a
   key agreed from ``c_u`` and ``c_v`` (the server relays ciphertexts it cannot read or alter unnoticed,
   as long as the public keys it relayed in round 0 were authentic).
2. *MaskedInputCollection*: u sends ``y_u = x_u + PRG(b_u) + sum_v ±PRG(s_uv) mod 2^k``, where ``x_u``
   is the fixed-point encoded update and ``s_uv`` the seed both u and v derive (X25519 + HKDF): the
   pairwise masks carry opposite signs at u and v and cancel in the sum.
3. *Unmasking*: each surviving client sends, for every client v whose ``y_v`` arrived, its share of
   ``b_v``, and for every client that dropped before sending ``y_v``, its share of ``s_v``'s private key
   (never both for the same client). With ``threshold`` survivors the server removes the self masks and
   recomputes the dropped clients' pairwise masks, and is left with the sum.

The PRG is AES-256 in counter mode (from ``cryptography``) keyed by a 32-byte seed. Randomness: with
``rng=None`` keys and seeds come from the operating system (``X25519PrivateKey.generate()``,
``os.urandom``), as a deployment must; with a seed or ``numpy.random.Generator`` private keys are made
by ``X25519PrivateKey.from_private_bytes(rng.bytes(32))`` so a lesson is reproducible. numpy's
generators are not cryptographically secure: a seeded run is a teaching demo, not a secure one.

Threat model: a semi-honest server, possibly together with fewer than ``threshold`` clients, learns the
sum and nothing else about the updates. Not covered: a server that deviates (it can swap the unsigned
keys), the server with ``threshold`` clients, and what the sum itself reveals;
:mod:`ppml_lab.attacks.secure_aggregation` demonstrates each.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from numpy.typing import ArrayLike

from . import shamir
from .cache import cached
from .seeding import crypto_rng, random_bytes
from .shamir import Share, TamperedShareError
from .validation import ParameterTypeError, check_array, check_positive, check_positive_int

__all__ = ["FixedPointEncoding", "new_private_key", "agree_seed", "prg_mask", "mask_update", "SecAggClient",
           "SecAggServer", "SecureAggregationResult", "secure_aggregate", "round_cost", "ROUND_NAMES",
           "TamperedShareError", "ForgedKeyError", "new_identity_key"]

#: The four rounds of Bonawitz et al.'s protocol, in order (``bytes_by_round`` follows it).
ROUND_NAMES = ("AdvertiseKeys", "ShareKeys", "MaskedInputCollection", "Unmasking")

SEED_BYTES = 32
SHARE_BYTES = 4 + 4 * (16 + shamir.SALT_LIMBS)  # a Shamir share of a 32-byte secret: index + 16 limbs + salt limbs
CIPHERTEXT_BYTES = 2 * SHARE_BYTES + 16  # two shares + the AES-GCM tag
COMMITMENT_BYTES = 4 + 32  # threshold, SHA-256 digest (the salt is shared, not published)


class ForgedKeyError(ValueError):
    """An advertised public key is not signed by its owner's identity key: the server (or the network) swapped it."""


# --- fixed-point encoding -------------------------------------------------------------------------------------

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
        bits = check_positive_int(self.modulus_bits, "modulus_bits", minimum=8)
        if bits > 64:
            raise ValueError(f"modulus_bits must be an integer in [8, 64], got {bits}")
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


# --- primitives: keys, seeds, PRG, masking ---------------------------------------------------------------------

def _check_bytes(value: bytes, name: str, length: int) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != length:
        shown = (f"{len(value)} bytes" if isinstance(value, (bytes, bytearray))
                 else f"{value!r:.40} of type {type(value).__name__}")
        raise ValueError(f"{name} must be {length} bytes, got {shown}")
    return bytes(value)


def _check_bits(modulus_bits: int) -> int:
    bits = check_positive_int(modulus_bits, "modulus_bits", minimum=8)
    if bits > 64:
        raise ValueError(f"modulus_bits must be an integer in [8, 64], got {bits}")
    return bits


def _check_encoding(encoding: FixedPointEncoding) -> FixedPointEncoding:
    if not isinstance(encoding, FixedPointEncoding):
        raise ParameterTypeError(f"encoding must be a FixedPointEncoding, got {type(encoding).__name__}")
    return encoding


def _check_protocol_size(n_clients: int, threshold: int) -> tuple[int, int]:
    n_clients = check_positive_int(n_clients, "n_clients", minimum=2)
    threshold = check_positive_int(threshold, "threshold", minimum=2)
    if threshold > n_clients:
        raise ValueError(f"threshold must be in [2, n_clients={n_clients}], got {threshold}")
    return n_clients, threshold




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


# --- the two parties -------------------------------------------------------------------------------------------

class SecAggClient:
    """One client of the protocol; each method is one round and returns the bytes it sends to the server.

    ``self_mask=False`` drops the self mask PRG(b_u) (and still shares b_u, so messages keep their size):
    the variant that a late-arriving masked input exposes (see
    :func:`ppml_lab.attacks.secure_aggregation.late_client_attack`). ``bytes_by_round`` counts what the
    client sent in each of the four rounds.

    Signed keys (the first addition of Bonawitz et al.'s actively secure version): with ``identity_key`` the
    client signs its advertised public keys (64 more bytes); with ``pki`` (client index -> Ed25519 public
    key, 32 bytes, vouched for by a public-key infrastructure) it checks every advert's signature in
    round 1 and raises :class:`ForgedKeyError` before sharing anything. Without them (the default) keys
    are taken on trust, which an active server exploits
    (:func:`ppml_lab.attacks.secure_aggregation.key_swap_attack`).
    """

    def __init__(self, index: int, update: ArrayLike, n_clients: int, threshold: int,
                 encoding: FixedPointEncoding, rng: np.random.Generator | int | None = None,
                 self_mask: bool = True, identity_key: Ed25519PrivateKey | None = None,
                 pki: Mapping[int, bytes] | None = None) -> None:
        n_clients, threshold = _check_protocol_size(n_clients, threshold)
        index = check_positive_int(index, "index", minimum=0)
        if identity_key is not None and not isinstance(identity_key, Ed25519PrivateKey):
            raise ParameterTypeError(f"identity_key must be an Ed25519PrivateKey or None, got "
                                     f"{type(identity_key).__name__}")
        if pki is not None:
            if not isinstance(pki, Mapping):
                raise ParameterTypeError(f"pki must map client index -> 32-byte Ed25519 public key, got "
                                         f"{type(pki).__name__}")
            pki = {check_positive_int(peer, "pki client index", minimum=0): _check_bytes(key, f"pki[{peer}]", 32)
                   for peer, key in pki.items()}
        if index >= n_clients:
            raise ValueError(f"index must be in [0, n_clients - 1 = {n_clients - 1}], got {index}")
        encoding = _check_encoding(encoding)
        encoded = encoding.encode(encoding.check_values(check_array(update, "update"), "update")).ravel()
        if not isinstance(self_mask, (bool, np.bool_)):
            raise ParameterTypeError(f"self_mask must be True or False, got {self_mask!r}")
        generator = crypto_rng(rng)
        self.index, self.n_clients, self.threshold, self.encoding = index, n_clients, threshold, encoding
        self.self_mask = bool(self_mask)
        self.encoded = encoded
        self._identity_key, self._pki = identity_key, pki
        self._rng = generator
        self._c_key = new_private_key(generator)  # encrypts the shares sent to other clients
        self._s_key = new_private_key(generator)  # agrees the pairwise mask seeds
        self._self_seed = random_bytes(SEED_BYTES, generator)
        self._s_public: dict[int, bytes] = {}
        self._share_keys: dict[int, bytes] = {}
        self._ciphertexts: dict[int, bytes] = {}
        self._own_shares: tuple[Share, Share] | None = None
        self.bytes_sent = 0
        self.bytes_by_round = [0, 0, 0, 0]
        self.bytes_received = 0
        self.seconds = 0.0

    def _sent(self, message: bytes, round_number: int) -> bytes:
        self.bytes_sent += len(message)
        self.bytes_by_round[round_number] += len(message)
        return message

    def advertise_keys(self) -> bytes:
        """Round 0: index + both public keys (68 bytes), then their Ed25519 signature if signing (64 bytes)."""
        start = time.perf_counter()
        message = (_u32(self.index) + self._c_key.public_key().public_bytes_raw()
                   + self._s_key.public_key().public_bytes_raw())
        if self._identity_key is not None:
            message += self._identity_key.sign(message)
        self.seconds += time.perf_counter() - start
        return self._sent(message, 0)

    def share_keys(self, adverts: Mapping[int, bytes]) -> bytes:
        """Round 1: commitments, then for each peer its shares of s_u's private key and b_u, encrypted."""
        start = time.perf_counter()
        self.bytes_received += sum(len(m) for m in adverts.values())
        if len(adverts) < self.threshold:
            raise RuntimeError(f"only {len(adverts)} clients advertised keys, fewer than threshold={self.threshold}")
        if self._pki is not None:
            for peer, advert in sorted(adverts.items()):
                self._verify(peer, advert)
        s_secret = shamir.bytes_to_field(self._s_key.private_bytes_raw())
        b_secret = shamir.bytes_to_field(self._self_seed)
        s_shares, s_commitment = shamir.split_secret(s_secret, self.n_clients, self.threshold, rng=self._rng)
        b_shares, b_commitment = shamir.split_secret(b_secret, self.n_clients, self.threshold, rng=self._rng)
        message = bytearray(s_commitment.to_bytes() + b_commitment.to_bytes())
        for peer, advert in sorted(adverts.items()):
            c_public, s_public = advert[4:36], advert[36:68]
            self._s_public[peer] = s_public
            plaintext = s_shares[peer].to_bytes() + b_shares[peer].to_bytes()  # shamir x = peer + 1
            if peer == self.index:
                self._own_shares = (s_shares[peer], b_shares[peer])
                continue
            key = self._share_keys[peer] = agree_seed(self._c_key, c_public, b"share encryption")
            ciphertext = AESGCM(key).encrypt(_nonce(self.index, peer), plaintext, _aad(self.index, peer))
            message += _u32(peer) + ciphertext
        self.seconds += time.perf_counter() - start
        return self._sent(bytes(message), 1)

    def masked_input(self, ciphertexts: Mapping[int, bytes]) -> bytes:
        """Round 2: y_u, masked with PRG(b_u) and one pairwise mask per client that shared its keys (U1)."""
        start = time.perf_counter()
        self.bytes_received += sum(4 + len(c) for c in ciphertexts.values())
        self._ciphertexts = dict(ciphertexts)
        seeds = {peer: agree_seed(self._s_key, self._s_public[peer]) for peer in sorted(ciphertexts)}
        masked = mask_update(self.encoded, self.index, self._self_seed if self.self_mask else None, seeds,
                             self.encoding.modulus_bits)
        message = _ring_to_bytes(masked, self.encoding.modulus_bits)
        self.seconds += time.perf_counter() - start
        return self._sent(message, 2)

    def unmasking_shares(self, survivors: Collection[int]) -> bytes:
        """Round 3: a share of b_v for each v in ``survivors`` (U2), of s_v's key for each v that dropped."""
        start = time.perf_counter()
        survivors = set(survivors)
        self.bytes_received += 4 * len(survivors)
        if len(survivors) < self.threshold:
            raise RuntimeError(f"only {len(survivors)} masked inputs arrived, fewer than threshold={self.threshold}: "
                               "refusing to help unmask so few clients")
        message = bytearray()
        for peer in sorted(set(self._ciphertexts) | {self.index}):
            s_share, b_share = self._own_shares if peer == self.index else self._decrypt(peer)
            kind, share = (b"b", b_share) if peer in survivors else (b"s", s_share)  # never both
            message += _u32(peer) + kind + share.to_bytes()
        self.seconds += time.perf_counter() - start
        return self._sent(bytes(message), 3)

    def _verify(self, peer: int, advert: bytes) -> None:
        """Check that ``advert`` is signed by ``peer``'s identity key in the PKI, or raise ForgedKeyError."""
        if peer not in self._pki or int.from_bytes(advert[:4], "little") != peer:
            raise ForgedKeyError(f"client {self.index} got keys for client {peer}, who is not in the PKI or not the "
                                 "sender named in the advert: refusing them")
        try:
            Ed25519PublicKey.from_public_bytes(self._pki[peer]).verify(advert[68:132], advert[:68])
        except InvalidSignature:
            raise ForgedKeyError(f"the public keys advertised for client {peer} are not signed by client {peer}'s "
                                 f"identity key: client {self.index} refuses them (were they swapped in transit?)"
                                 ) from None

    def _decrypt(self, peer: int) -> tuple[Share, Share]:
        try:
            plaintext = AESGCM(self._share_keys[peer]).decrypt(_nonce(peer, self.index), self._ciphertexts[peer],
                                                               _aad(peer, self.index))
        except InvalidTag:
            raise TamperedShareError(f"the encrypted shares from client {peer} to client {self.index} failed "
                                     "AES-GCM authentication: they were altered in transit; refusing them") from None
        half = len(plaintext) // 2
        return Share.from_bytes(plaintext[:half]), Share.from_bytes(plaintext[half:])


def _nonce(sender: int, recipient: int) -> bytes:
    return _u32(sender) + _u32(recipient) + bytes(4)  # unique per (key, direction): each key encrypts twice


def _aad(sender: int, recipient: int) -> bytes:
    return b"ppml-lab secagg shares" + _u32(sender) + _u32(recipient)


class SecAggServer:
    """The server: relays messages, sums masked inputs and removes the masks; never sees an update alone.

    ``self_mask=False`` must match clients built with ``self_mask=False`` (no self masks to remove).
    """

    def __init__(self, n_clients: int, threshold: int, size: int, encoding: FixedPointEncoding,
                 self_mask: bool = True) -> None:
        n_clients, threshold = _check_protocol_size(n_clients, threshold)
        size = check_positive_int(size, "size")
        encoding = _check_encoding(encoding)
        if not isinstance(self_mask, (bool, np.bool_)):
            raise ParameterTypeError(f"self_mask must be True or False, got {self_mask!r}")
        self.n_clients, self.threshold, self.size, self.encoding = n_clients, threshold, size, encoding
        self.self_mask = bool(self_mask)
        self.adverts: dict[int, bytes] = {}
        self.commitments: dict[int, tuple[shamir.Commitment, shamir.Commitment]] = {}
        self.masked_inputs: dict[int, np.ndarray] = {}
        self.seconds = 0.0

    def collect_adverts(self, adverts: Mapping[int, bytes]) -> dict[int, bytes]:
        """Round 0: the public keys of U0, broadcast to every client."""
        self.adverts = dict(adverts)
        return self.adverts

    def route_shares(self, messages: Mapping[int, bytes]) -> dict[int, dict[int, bytes]]:
        """Round 1: keep each sender's commitments, forward ciphertexts: recipient -> {sender: ciphertext}."""
        start = time.perf_counter()
        inbox: dict[int, dict[int, bytes]] = {peer: {} for peer in messages}
        record = 4 + CIPHERTEXT_BYTES
        for sender, message in messages.items():
            self.commitments[sender] = (shamir.Commitment.from_bytes(message[:COMMITMENT_BYTES]),
                                        shamir.Commitment.from_bytes(message[COMMITMENT_BYTES:2 * COMMITMENT_BYTES]))
            for offset in range(2 * COMMITMENT_BYTES, len(message), record):
                recipient = int.from_bytes(message[offset:offset + 4], "little")
                if recipient in inbox:
                    inbox[recipient][sender] = message[offset + 4:offset + record]
        self.seconds += time.perf_counter() - start
        return inbox

    def collect_masked(self, messages: Mapping[int, bytes]) -> list[int]:
        """Round 2: store each y_u; return U2, the clients whose masked input arrived."""
        start = time.perf_counter()
        self.masked_inputs = {u: _ring_from_bytes(m, self.encoding.modulus_bits) for u, m in messages.items()}
        self.seconds += time.perf_counter() - start
        return sorted(self.masked_inputs)

    def aggregate(self, messages: Mapping[int, bytes]) -> np.ndarray:
        """Round 3: reconstruct b_u for u in U2 and s_v for v in U1 minus U2; return the decoded sum over U2."""
        start = time.perf_counter()
        if len(messages) < self.threshold:
            raise RuntimeError(f"only {len(messages)} clients answered the unmasking round, fewer than "
                               f"threshold={self.threshold}: the sum cannot be recovered")
        shares = self.parse_unmasking(messages)
        bits, mask = self.encoding.modulus_bits, self.encoding.mask
        total = np.zeros(self.size, dtype=np.uint64)
        for y in self.masked_inputs.values():
            total = total + y
        dropped = sorted(set(self.commitments) - set(self.masked_inputs))
        for owner in sorted(self.masked_inputs) if self.self_mask else []:  # remove the self masks of U2
            seed = self._reconstruct(owner, b"b", shares)
            total = total - prg_mask(seed, self.size, bits)
        for owner in dropped:  # recompute the dropped clients' pairwise masks with everyone in U2
            private_key = self.recover_mask_key(owner, shares)
            for peer in sorted(self.masked_inputs):
                pairwise = prg_mask(agree_seed(private_key, self.adverts[peer][36:68]), self.size, bits)
                total = total - pairwise if peer < owner else total + pairwise
        result = self.encoding.decode(total & mask)
        self.seconds += time.perf_counter() - start
        return result

    def parse_unmasking(self, messages: Mapping[int, bytes]) -> dict[tuple[int, bytes], list[Share]]:
        """Round 3's messages as {(owner, b"b" or b"s"): shares}, from the first ``threshold`` holders."""
        shares: dict[tuple[int, bytes], list[Share]] = {}
        for holder in sorted(messages)[: self.threshold]:  # same holders for every secret: one Lagrange basis
            message, record = messages[holder], 4 + 1 + SHARE_BYTES
            for offset in range(0, len(message), record):
                owner, kind = int.from_bytes(message[offset:offset + 4], "little"), message[offset + 4:offset + 5]
                shares.setdefault((owner, kind), []).append(Share.from_bytes(message[offset + 5:offset + record]))
        return shares

    def recover_mask_key(self, owner: int, shares: Mapping[tuple[int, bytes], list[Share]]) -> X25519PrivateKey:
        """Rebuild the mask key ``s_owner`` of a client that dropped, checked against its advertised public key."""
        private_key = X25519PrivateKey.from_private_bytes(self._reconstruct(owner, b"s", shares))
        if private_key.public_key().public_bytes_raw() != self.adverts[owner][36:68]:
            raise TamperedShareError(f"the key reconstructed for dropped client {owner} does not match the "
                                     "public key it advertised: a share was tampered with")
        return private_key

    def _reconstruct(self, owner: int, kind: bytes, shares: Mapping[tuple[int, bytes], list[Share]]) -> bytes:
        got = shares.get((owner, kind), [])
        if len(got) < self.threshold:
            raise RuntimeError(f"only {len(got)} shares of client {owner}'s {'seed' if kind == b'b' else 'key'} "
                               f"arrived, fewer than threshold={self.threshold}")
        commitment = self.commitments[owner][0 if kind == b"s" else 1]
        try:
            secret = shamir.reconstruct_secret(got, self.threshold, commitment)
        except TamperedShareError as error:
            raise TamperedShareError(f"client {owner}'s {'self-mask seed' if kind == b'b' else 'mask key'}: "
                                     f"{error}") from None
        return shamir.field_to_bytes(secret)


# --- one round, end to end -------------------------------------------------------------------------------------

@dataclass
class SecureAggregationResult:
    """What one secure-aggregation round produced: the sum, who is in it, and what it cost."""

    total: np.ndarray  # decoded sum of the updates of ``included`` (shape of one update)
    included: list[int]  # U2: clients whose masked update is in the sum
    dropped_before_masking: list[int]
    dropped_after_masking: list[int]
    encoding: FixedPointEncoding
    threshold: int
    masked_inputs: dict[int, np.ndarray] = field(repr=False)  # what the server saw: integers mod 2^k
    bytes_sent: np.ndarray = field(repr=False)  # per client, all rounds
    bytes_received: np.ndarray = field(repr=False)
    client_seconds: np.ndarray = field(repr=False)  # per client, all rounds (volatile: never print in a lesson)
    server_seconds: float = field(repr=False, default=0.0)
    bytes_by_round: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 4), dtype=int))  # [u, round]

    @property
    def mean(self) -> np.ndarray:
        """The average over ``included``: what FedAvg with equal weights would apply."""
        return self.total / len(self.included)

    @property
    def max_error(self) -> float:
        """Bound on the rounding error of ``total`` per coordinate: n * precision / 2."""
        return len(self.included) * self.encoding.precision / 2


def _check_dropouts(name: str, clients: Collection[int], n_clients: int) -> list[int]:
    if isinstance(clients, (str, bytes)) or not isinstance(clients, Collection):
        raise ParameterTypeError(f"{name} must be a collection of client indices, got {clients!r}")
    chosen = sorted(check_positive_int(c, name, minimum=0) for c in clients)
    if len(set(chosen)) != len(chosen) or any(c < 0 or c >= n_clients for c in chosen):
        raise ValueError(f"{name} must be distinct client indices in [0, {n_clients - 1}], got {chosen}")
    return chosen


def secure_aggregate(updates: ArrayLike | Sequence[ArrayLike], *, encoding: FixedPointEncoding | None = None,
                     threshold: int | None = None, drop_before_masking: Collection[int] = (),
                     drop_after_masking: Collection[int] = (),
                     rng: np.random.Generator | int | None = None, self_mask: bool = True) -> SecureAggregationResult:
    """Run one round of Bonawitz et al.'s protocol in-process over ``updates`` (one array per client).

    ``threshold`` (default ``n // 2 + 1``) shares recover a secret, so up to ``n - threshold`` clients
    may drop, either before sending their masked update (``drop_before_masking``: their pairwise masks
    are rebuilt from shares of their key) or after it (``drop_after_masking``: their update counts,
    their self mask is removed from shares of its seed). ``rng`` seeds keys and masks (teaching only);
    None uses the operating system's randomness. ``self_mask=False`` runs the insecure variant without
    self masks (the sum comes out the same; a late client's update does not stay hidden).
    """
    encoding = _check_encoding(FixedPointEncoding() if encoding is None else encoding)
    stacked = encoding.check_values(check_array(updates, "updates"), name="updates")
    if stacked.ndim < 1:
        raise ValueError(f"updates must hold one update per client (at least 1-D), got shape {stacked.shape}")
    if not isinstance(self_mask, (bool, np.bool_)):
        raise ParameterTypeError(f"self_mask must be True or False, got {self_mask!r}")
    n_clients = check_positive_int(len(stacked), "number of clients (len(updates))", minimum=2)
    encoding.check_capacity(n_clients)
    threshold = n_clients // 2 + 1 if threshold is None else check_positive_int(threshold, "threshold", minimum=2)
    if threshold > n_clients:
        raise ValueError(f"threshold must be in [2, n_clients={n_clients}], got {threshold}")
    before = _check_dropouts("drop_before_masking", drop_before_masking, n_clients)
    after = _check_dropouts("drop_after_masking", drop_after_masking, n_clients)
    if set(before) & set(after):
        raise ValueError(f"a client cannot drop both before and after masking, got {sorted(set(before) & set(after))}")
    if n_clients - len(before) - len(after) < threshold:
        raise ValueError(f"{len(before) + len(after)} dropouts leave {n_clients - len(before) - len(after)} clients, "
                         f"fewer than threshold={threshold}: at most {n_clients - threshold} may drop")
    generator = crypto_rng(rng)
    child_rngs = generator.spawn(n_clients) if generator is not None else [None] * n_clients
    shape = stacked.shape[1:]
    clients = [SecAggClient(u, stacked[u], n_clients, threshold, encoding, child_rngs[u], self_mask)
               for u in range(n_clients)]
    server = SecAggServer(n_clients, threshold, int(np.prod(shape)), encoding, self_mask)

    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    masked_senders = [c for c in clients if c.index not in before]
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in masked_senders})
    unmaskers = [c for c in masked_senders if c.index not in after]
    total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in unmaskers})
    return SecureAggregationResult(
        total=total.reshape(shape), included=survivors, dropped_before_masking=before, dropped_after_masking=after,
        encoding=encoding, threshold=threshold, masked_inputs=dict(server.masked_inputs),
        bytes_sent=np.array([c.bytes_sent for c in clients]),
        bytes_received=np.array([c.bytes_received for c in clients]),
        client_seconds=np.array([c.seconds for c in clients]), server_seconds=server.seconds,
        bytes_by_round=np.array([c.bytes_by_round for c in clients]))


# --- what one round costs, for the lesson's widget ------------------------------------------------------------

def round_cost(n_clients: int, threshold: int, dropouts: int, size: int = 1000, seed: int = 0,
               use_cache: bool = True) -> dict[str, object]:
    """One round with ``dropouts`` clients lost (the first half before masking, the rest after): was the
    sum recovered, what each finishing client sent per round, and the server's and clients' time.

    Unlike :func:`secure_aggregate`, too many dropouts are not refused up front: the round runs until
    the clients refuse to unmask fewer than ``threshold`` survivors, or the server gets fewer than
    ``threshold`` answers, and ``recovered`` is False with the ``reason``. Updates are uniform on
    [-1, 1] from ``seed``. Cached by all inputs (``ppml_lab.cache``); the timings in a cached result are
    those of the run that filled the cache, and are volatile (show them in a figure, never in print).
    """
    n_clients, threshold = _check_protocol_size(n_clients, threshold)
    dropouts = check_positive_int(dropouts, "dropouts", minimum=0)
    if dropouts > n_clients:
        raise ValueError(f"dropouts must be in [0, n_clients={n_clients}], got {dropouts}")
    size = check_positive_int(size, "size")
    seed = check_positive_int(seed, "seed", minimum=0)
    inputs = {"n_clients": n_clients, "threshold": threshold, "dropouts": dropouts, "size": size, "seed": seed}
    return cached("secagg_round_cost", inputs, lambda: _measure_round(**inputs), enabled=bool(use_cache))


def _measure_round(n_clients: int, threshold: int, dropouts: int, size: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    updates = rng.uniform(-1.0, 1.0, size=(n_clients, size))
    lost = rng.permutation(n_clients)[:dropouts]
    before, after = sorted(lost[: dropouts - dropouts // 2].tolist()), sorted(lost[dropouts - dropouts // 2:].tolist())
    encoding = FixedPointEncoding()
    encoding.check_capacity(n_clients)
    clients = [SecAggClient(u, updates[u], n_clients, threshold, encoding, child)
               for u, child in enumerate(rng.spawn(n_clients))]
    server = SecAggServer(n_clients, threshold, size, encoding)
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    senders = [c for c in clients if c.index not in before]
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in senders})
    finishers = [c for c in senders if c.index not in after]
    recovered, reason, error = True, "", float("nan")
    try:
        total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in finishers})
        error = float(np.abs(total - updates[survivors].sum(axis=0)).max())
    except RuntimeError as refusal:
        recovered, reason = False, str(refusal)
    return {**{"n_clients": n_clients, "threshold": threshold, "dropouts": dropouts, "size": size},
            "dropped_before_masking": before, "dropped_after_masking": after, "recovered": recovered,
            "reason": reason, "max_error": error,
            "bytes_by_round": np.mean([c.bytes_by_round for c in finishers], axis=0).tolist(),
            "server_seconds": server.seconds, "client_seconds": float(np.mean([c.seconds for c in finishers]))}
