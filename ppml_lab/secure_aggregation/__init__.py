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

# The package re-exports its submodules' names, and the private helpers that the attacks
# (ppml_lab.attacks.secure_aggregation), secure_fedavg and the benchmark use.
from ..shamir import TamperedShareError
from .costs import round_cost
from .encoding import FixedPointEncoding
from .encoding import _check_encoding as _check_encoding
from .parties import CIPHERTEXT_BYTES as CIPHERTEXT_BYTES
from .parties import COMMITMENT_BYTES as COMMITMENT_BYTES
from .parties import ROUND_NAMES, ForgedKeyError, SecAggClient, SecAggServer
from .parties import SHARE_BYTES as SHARE_BYTES
from .parties import _aad as _aad
from .parties import _nonce as _nonce
from .primitives import SEED_BYTES as SEED_BYTES
from .primitives import _ring_from_bytes as _ring_from_bytes
from .primitives import _ring_to_bytes as _ring_to_bytes
from .primitives import _u32 as _u32
from .primitives import agree_seed, mask_update, new_identity_key, new_private_key, prg_mask
from .protocol import SecureAggregationResult, secure_aggregate

__all__ = ["FixedPointEncoding", "new_private_key", "agree_seed", "prg_mask", "mask_update", "SecAggClient",
           "SecAggServer", "SecureAggregationResult", "secure_aggregate", "round_cost", "ROUND_NAMES",
           "TamperedShareError", "ForgedKeyError", "new_identity_key"]
