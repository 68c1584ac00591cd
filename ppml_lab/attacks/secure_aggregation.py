"""Attacks on secure aggregation that show what each part of Bonawitz et al.'s protocol is for.

Taught in ``notebooks/06_secure_aggregation.ipynb``. Each attack drives the real clients of
:mod:`ppml_lab.secure_aggregation` and plays the server (or a public observer) by hand:

- :func:`late_client_attack`: a *semi-honest* server whose round-2 deadline a client misses. The
  survivors hand over shares of the late client's mask key ``s_v`` (to cancel its pairwise masks);
  when the late masked input then arrives, the server removes every pairwise mask from it. Without
  the self mask ``PRG(b_v)`` the update is exposed; with it, what is left is uniform noise, because an
  honest client reveals a share of ``b_v`` or of ``s_v``, never both (Bonawitz et al. 2017, Section 3,
  "double masking").
- :func:`key_swap_attack`: an *active* server that relays the public keys of round 0 unsigned, as the
  semi-honest protocol does, and replaces them (a man in the middle). The victim then agrees its
  pairwise seeds and encrypts its shares of ``b_v`` to keys the server holds, so the server unmasks the
  victim's update, and patches the victim's masked input so that the round's sum still comes out right:
  nobody notices. Bonawitz et al.'s actively secure version (Section 4, "malicious" setting) stops this
  with a PKI: every client signs its public keys with a long-term identity key the others verify
  (``signed=True`` shows the attack refused), and a ConsistencyCheck round in which clients sign the
  list of survivors (not implemented here).
- :func:`collusion_attack`: the server and ``threshold`` clients pool the shares those clients hold of
  a victim's two secrets (``b_v`` and ``s_v``) and unmask it, even in an honest round; with one colluder
  fewer, the shares reveal nothing. This is what the threshold trades against robustness to dropouts.
- :func:`brute_force_commitment`: a hash commitment published *with* its salt hides nothing about a
  small secret; :mod:`ppml_lab.shamir` keeps the salt secret for this reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from numpy.typing import ArrayLike

from .. import secure_aggregation as sa
from .. import shamir
from ..seeding import crypto_rng
from ..validation import ParameterTypeError, check_array, check_positive_int

__all__ = ["UnmaskingAttackResult", "late_client_attack", "key_swap_attack", "collusion_attack",
           "brute_force_commitment"]


@dataclass(frozen=True)
class UnmaskingAttackResult:
    """What a server that tries to unmask one client's update got, and whether the round looked normal."""

    attack: str
    victim: int
    self_mask: bool
    true_update: np.ndarray = field(repr=False)
    recovered: np.ndarray = field(repr=False)  # the server's reconstruction of the victim's update
    sum_error: float  # largest error of the round's sum: tiny means the round looked normal to everyone
    precision: float
    refused: str = ""  # why the attack stopped short (signed keys, too few colluders), or "" when it succeeded

    @property
    def max_error(self) -> float:
        """Largest gap between the server's reconstruction and the victim's true update (inf when refused)."""
        return float("inf") if self.refused else float(np.abs(self.recovered - self.true_update).max())

    @property
    def exposed(self) -> bool:
        """True when the server recovered the update up to the encoding's rounding (precision / 2)."""
        return self.max_error <= self.precision / 2 + 1e-12


def _setup(updates: ArrayLike, victim: int, threshold: int | None, encoding: sa.FixedPointEncoding | None,
           rng: np.random.Generator | int | None, self_mask: bool = True, signed: bool = False):
    encoding = sa._check_encoding(sa.FixedPointEncoding() if encoding is None else encoding)
    stacked = check_array(updates, "updates", ndim=2)
    encoding.check_values(stacked, "updates")
    n_clients = check_positive_int(len(stacked), "number of clients (len(updates))", minimum=3)
    encoding.check_capacity(n_clients)
    victim = check_positive_int(victim, "victim", minimum=0)
    if victim >= n_clients:
        raise ValueError(f"victim must be a client index in [0, {n_clients - 1}], got {victim}")
    threshold = n_clients // 2 + 1 if threshold is None else check_positive_int(threshold, "threshold", minimum=2)
    if threshold > n_clients - 1:
        raise ValueError(f"threshold must be in [2, n_clients - 1 = {n_clients - 1}] (the other clients must be "
                         f"able to finish the round), got {threshold}")
    if not isinstance(self_mask, (bool, np.bool_)):
        raise ParameterTypeError(f"self_mask must be True or False, got {self_mask!r}")
    generator = crypto_rng(rng)
    generator = np.random.default_rng() if generator is None else generator
    child_rngs = generator.spawn(n_clients + 1)  # the last one makes the attacker's keys
    identities = [sa.new_identity_key(r) for r in generator.spawn(n_clients)] if signed else [None] * n_clients
    pki = {u: key.public_key().public_bytes_raw() for u, key in enumerate(identities)} if signed else None
    clients = [sa.SecAggClient(u, stacked[u], n_clients, threshold, encoding, child_rngs[u], bool(self_mask),
                               identity_key=identities[u], pki=pki) for u in range(n_clients)]
    server = sa.SecAggServer(n_clients, threshold, stacked.shape[1], encoding, bool(self_mask))
    return stacked, victim, clients, server, child_rngs[-1]


def _remove_pairwise_masks(masked: np.ndarray, victim: int, seeds: dict[int, bytes], bits: int) -> np.ndarray:
    """y_v minus the victim's pairwise masks: + PRG(s_vw) was added when v < w, - PRG(s_vw) when v > w."""
    result = masked.copy()
    for peer, seed in sorted(seeds.items()):
        pairwise = sa.prg_mask(seed, masked.size, bits)
        result = result - pairwise if victim < peer else result + pairwise
    return result & np.uint64(2**bits - 1)


def late_client_attack(updates: ArrayLike, victim: int, *, self_mask: bool = True, threshold: int | None = None,
                       encoding: sa.FixedPointEncoding | None = None,
                       rng: np.random.Generator | int | None = None) -> UnmaskingAttackResult:
    """A semi-honest server unmasks a client whose masked input arrives after the round-2 deadline.

    The server declares ``victim`` dropped, collects the survivors' shares of the victim's mask key
    (exactly what the protocol asks them for), finishes the round, then removes the victim's pairwise
    masks from its late ``y_v``. With ``self_mask=True`` (the real protocol) ``PRG(b_v)`` remains and
    the reconstruction is noise; with ``self_mask=False`` it is the victim's update.
    Bonawitz et al. 2017, Section 3 (why each client adds a self mask).
    """
    stacked, victim, clients, server, _ = _setup(updates, victim, threshold, encoding, rng, self_mask)
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    masked = {c.index: c.masked_input(inbox[c.index]) for c in clients}
    late = masked.pop(victim)  # misses the deadline: the server treats the victim as dropped
    survivors = server.collect_masked(masked)
    unmasking = {c.index: c.unmasking_shares(survivors) for c in clients if c.index != victim}
    total = server.aggregate(unmasking)
    sum_error = float(np.abs(total - stacked[survivors].sum(axis=0)).max())
    # the late y_v arrives; the server already holds s_v (rebuilt to cancel v's masks in the sum)
    mask_key = server.recover_mask_key(victim, server.parse_unmasking(unmasking))
    seeds = {peer: sa.agree_seed(mask_key, adverts[peer][36:68]) for peer in inbox[victim]}
    bits = server.encoding.modulus_bits
    unmasked = _remove_pairwise_masks(sa._ring_from_bytes(late, bits), victim, seeds, bits)
    return UnmaskingAttackResult("late client", victim, bool(self_mask), stacked[victim].copy(),
                                 server.encoding.decode(unmasked), sum_error, server.encoding.precision)


def key_swap_attack(updates: ArrayLike, victim: int, *, signed: bool = False, threshold: int | None = None,
                    encoding: sa.FixedPointEncoding | None = None,
                    rng: np.random.Generator | int | None = None) -> UnmaskingAttackResult:
    """An active server swaps the unsigned public keys of round 0 and unmasks ``victim`` unnoticed.

    To the victim the server presents its own key pair in place of every other client's; to everyone
    else, its own key pair in place of the victim's. It decrypts the victim's shares of ``b_v`` (all
    ``n - 1`` of them, at least ``threshold``) and re-encrypts them for their real recipients, knows every
    pairwise seed of the victim, and so computes ``x_v = y_v - PRG(b_v) - sum ±PRG(s_vw)``. It then
    submits a patched ``y_v`` whose pairwise masks cancel the other clients' masks with the fake victim,
    so the honest aggregation returns the right sum.

    ``signed=True`` gives every client an Ed25519 identity key and the PKI of everyone's public identity
    keys (Bonawitz et al. 2017, Section 4, actively secure variant): the server cannot sign the keys it
    substitutes, the clients refuse them in round 1 before sharing anything, and the result says so
    (``refused``).
    """
    if not isinstance(signed, (bool, np.bool_)):
        raise ParameterTypeError(f"signed must be True or False, got {signed!r}")
    stacked, victim, clients, server, attacker_rng = _setup(updates, victim, threshold, encoding, rng,
                                                            signed=bool(signed))
    n_clients, bits = len(clients), server.encoding.modulus_bits
    real = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    # fake_c[w], fake_s[w]: the server's keys posing as w to the victim (w == victim: as the victim to the others)
    fake_c = {w: sa.new_private_key(attacker_rng) for w in range(n_clients)}
    fake_s = {w: sa.new_private_key(attacker_rng) for w in range(n_clients)}

    def fake_advert(w: int) -> bytes:  # keeps w's signature, if any: the server cannot make a valid one
        return (sa._u32(w) + fake_c[w].public_key().public_bytes_raw() + fake_s[w].public_key().public_bytes_raw()
                + real[w][68:])

    to_victim = {w: real[w] if w == victim else fake_advert(w) for w in real}
    to_others = {w: fake_advert(victim) if w == victim else real[w] for w in real}
    try:
        messages = {c.index: c.share_keys(to_victim if c.index == victim else to_others) for c in clients}
    except sa.ForgedKeyError as refusal:
        return UnmaskingAttackResult("key swap", victim, True, stacked[victim].copy(),
                                     np.full(stacked.shape[1], np.nan), float("nan"), server.encoding.precision,
                                     refused=str(refusal))
    b_shares: list[shamir.Share] = []
    for sender in messages:  # open and re-encrypt every ciphertext to or from the victim
        message, record = bytearray(messages[sender]), 4 + sa.CIPHERTEXT_BYTES
        for offset in range(2 * sa.COMMITMENT_BYTES, len(message), record):
            recipient = int.from_bytes(message[offset:offset + 4], "little")
            if victim not in (sender, recipient):
                continue
            other = recipient if sender == victim else sender  # the honest end whose key the server faked
            opened = AESGCM(sa.agree_seed(fake_c[other], real[victim][4:36], b"share encryption"))
            resealed = AESGCM(sa.agree_seed(fake_c[victim], real[other][4:36], b"share encryption"))
            if sender != victim:
                opened, resealed = resealed, opened
            nonce, aad = sa._nonce(sender, recipient), sa._aad(sender, recipient)
            plaintext = opened.decrypt(nonce, bytes(message[offset + 4:offset + record]), aad)
            if sender == victim:
                b_shares.append(shamir.Share.from_bytes(plaintext[sa.SHARE_BYTES:]))
            message[offset + 4:offset + record] = resealed.encrypt(nonce, plaintext, aad)
        messages[sender] = bytes(message)
    inbox = server.route_shares(messages)
    masked = {c.index: c.masked_input(inbox[c.index]) for c in clients}
    # unmask the victim: its self-mask seed from the opened shares, its pairwise seeds from the fake keys
    self_seed = shamir.field_to_bytes(shamir.reconstruct_secret(b_shares, server.threshold,
                                                                server.commitments[victim][1]))
    y_victim = sa._ring_from_bytes(masked[victim], bits)
    seen_by_victim = {w: sa.agree_seed(fake_s[w], real[victim][36:68]) for w in inbox[victim]}
    encoded = (_remove_pairwise_masks(y_victim, victim, seen_by_victim, bits)
               - sa.prg_mask(self_seed, y_victim.size, bits)) & np.uint64(2**bits - 1)
    # cover the tracks: re-mask with the seeds the others agreed with the fake victim, so the sum cancels
    seen_by_others = {w: sa.agree_seed(fake_s[victim], real[w][36:68]) for w in inbox[victim]}
    masked[victim] = sa._ring_to_bytes(sa.mask_update(encoded, victim, self_seed, seen_by_others, bits), bits)
    survivors = server.collect_masked(masked)
    total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in clients})
    sum_error = float(np.abs(total - stacked.sum(axis=0)).max())
    return UnmaskingAttackResult("key swap", victim, True, stacked[victim].copy(), server.encoding.decode(encoded),
                                 sum_error, server.encoding.precision)


def collusion_attack(updates: ArrayLike, victim: int, colluders: Iterable[int], *, threshold: int | None = None,
                     encoding: sa.FixedPointEncoding | None = None,
                     rng: np.random.Generator | int | None = None) -> UnmaskingAttackResult:
    """The server and the clients ``colluders`` pool their shares of ``victim``'s self-mask seed and mask key.

    The round itself runs honestly, with nobody dropping. Each colluder decrypts the shares of ``b_v`` and
    ``s_v`` the victim sent it in round 1; with at least ``threshold`` of them the server rebuilds both and
    strips every mask from ``y_v``; with fewer, Shamir sharing reveals nothing and ``refused`` says so.
    Bonawitz et al. 2017 prove security against the server with fewer than ``threshold`` clients.
    """
    if isinstance(colluders, (str, bytes)) or not isinstance(colluders, Iterable):
        raise ParameterTypeError(f"colluders must be an iterable of client indices, got {type(colluders).__name__}")
    pool = sorted(check_positive_int(u, "colluders", minimum=0) for u in colluders)
    stacked, victim, clients, server, _ = _setup(updates, victim, threshold, encoding, rng)
    if len(set(pool)) != len(pool) or victim in pool or any(u >= len(clients) for u in pool):
        raise ValueError(f"colluders must be distinct client indices in [0, {len(clients) - 1}] other than the "
                         f"victim {victim}, got {pool}")
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    masked = {c.index: c.masked_input(inbox[c.index]) for c in clients}
    survivors = server.collect_masked(masked)
    total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in clients})
    sum_error = float(np.abs(total - stacked.sum(axis=0)).max())
    if len(pool) < server.threshold:
        why = (f"{len(pool)} colluders hold {len(pool)} shares of each secret, fewer than "
               f"threshold={server.threshold}: "
               f"they reveal nothing about b_{victim} or s_{victim}")
        return UnmaskingAttackResult("collusion", victim, True, stacked[victim].copy(),
                                     np.full(stacked.shape[1], np.nan), sum_error, server.encoding.precision, why)
    opened = [clients[u]._decrypt(victim) for u in pool]  # each colluder's (share of s_v, share of b_v)
    commitments = server.commitments[victim]
    mask_key = X25519PrivateKey.from_private_bytes(shamir.field_to_bytes(
        shamir.reconstruct_secret([s for s, _ in opened], server.threshold, commitments[0])))
    self_seed = shamir.field_to_bytes(shamir.reconstruct_secret([b for _, b in opened], server.threshold,
                                                                commitments[1]))
    bits = server.encoding.modulus_bits
    seeds = {peer: sa.agree_seed(mask_key, adverts[peer][36:68]) for peer in inbox[victim]}
    y_victim = sa._ring_from_bytes(masked[victim], bits)
    encoded = (_remove_pairwise_masks(y_victim, victim, seeds, bits)
               - sa.prg_mask(self_seed, y_victim.size, bits)) & np.uint64(2**bits - 1)
    return UnmaskingAttackResult("collusion", victim, True, stacked[victim].copy(), server.encoding.decode(encoded),
                                 sum_error, server.encoding.precision)


def brute_force_commitment(commitment: shamir.Commitment, salt: bytes,
                           candidates: Iterable[int]) -> tuple[int | None, int]:
    """Find a secret (one field element) from its hash commitment by trying ``candidates`` with a known ``salt``.

    Returns ``(secret, hashes tried)``, or ``(None, hashes tried)`` when no candidate matches. With the
    salt published beside the digest, a secret from a small range (2024 among 2^16 values) falls in
    milliseconds; :func:`ppml_lab.shamir.split_secret` shares the salt instead of publishing it.
    """
    if not isinstance(commitment, shamir.Commitment):
        raise ParameterTypeError(f"commitment must be a shamir.Commitment, got {type(commitment).__name__}")
    if not isinstance(salt, bytes) or len(salt) != shamir.SALT_BYTES:
        raise ValueError(f"salt must be {shamir.SALT_BYTES} bytes, got {salt!r:.40}")
    if isinstance(candidates, (str, bytes)) or not isinstance(candidates, Iterable):
        raise ParameterTypeError(f"candidates must be an iterable of integers, got {type(candidates).__name__}")
    tried = 0
    for candidate in candidates:
        value = check_positive_int(candidate, "candidates", minimum=0)
        if value >= shamir.PRIME:
            raise ValueError(f"candidates must be field elements in [0, {shamir.PRIME}), got {value}")
        tried += 1
        if shamir.commit(value, commitment.threshold, salt).digest == commitment.digest:
            return value, tried
    return None, tried
