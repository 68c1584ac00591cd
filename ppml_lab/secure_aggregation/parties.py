"""The two parties of Bonawitz et al.'s protocol: a client (one method per round) and the server."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

import numpy as np
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from numpy.typing import ArrayLike

from .. import shamir
from ..seeding import crypto_rng, random_bytes
from ..shamir import Share, TamperedShareError
from ..validation import ParameterTypeError, check_array, check_positive_int
from .encoding import FixedPointEncoding, _check_encoding
from .primitives import (
    SEED_BYTES,
    _check_bytes,
    _ring_from_bytes,
    _ring_to_bytes,
    _u32,
    agree_seed,
    mask_update,
    new_private_key,
    prg_mask,
)

__all__ = ["ROUND_NAMES", "ForgedKeyError", "SecAggClient", "SecAggServer"]

#: The four rounds of Bonawitz et al.'s protocol, in order (``bytes_by_round`` follows it).
ROUND_NAMES = ("AdvertiseKeys", "ShareKeys", "MaskedInputCollection", "Unmasking")

SHARE_BYTES = 4 + 4 * (16 + shamir.SALT_LIMBS)  # a Shamir share of a 32-byte secret: index + 16 limbs + salt limbs
CIPHERTEXT_BYTES = 2 * SHARE_BYTES + 16  # two shares + the AES-GCM tag
COMMITMENT_BYTES = 4 + 32  # threshold, SHA-256 digest (the salt is shared, not published)


class ForgedKeyError(ValueError):
    """An advertised public key is not signed by its owner's identity key: the server (or the network) swapped it."""


def _check_protocol_size(n_clients: int, threshold: int) -> tuple[int, int]:
    n_clients = check_positive_int(n_clients, "n_clients", minimum=2)
    threshold = check_positive_int(threshold, "threshold", minimum=2)
    if threshold > n_clients:
        raise ValueError(f"threshold must be in [2, n_clients={n_clients}], got {threshold}")
    return n_clients, threshold


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
