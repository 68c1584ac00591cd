"""One secure-aggregation round, end to end, in-process: every client and the server, with dropouts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ..seeding import crypto_rng
from ..validation import ParameterTypeError, check_array, check_positive_int
from .encoding import FixedPointEncoding, _check_encoding
from .parties import SecAggClient, SecAggServer, _check_protocol_size

__all__ = ["SecureAggregationResult", "secure_aggregate"]


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


def _play_rounds(clients: list[SecAggClient], server: SecAggServer, before: Collection[int],
                 after: Collection[int]) -> tuple[list[int], list[SecAggClient]]:
    """Rounds 0-2 between ``clients`` and ``server``, the clients in ``before`` dropping before they mask.

    Returns the survivors (whose masked inputs the server holds) and the clients left to unmask in
    round 3 (the survivors not in ``after``).
    """
    adverts = server.collect_adverts({c.index: c.advertise_keys() for c in clients})
    inbox = server.route_shares({c.index: c.share_keys(adverts) for c in clients})
    senders = [c for c in clients if c.index not in before]
    survivors = server.collect_masked({c.index: c.masked_input(inbox[c.index]) for c in senders})
    return survivors, [c for c in senders if c.index not in after]


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
    n_clients, threshold = _check_protocol_size(n_clients, n_clients // 2 + 1 if threshold is None else threshold)
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

    survivors, unmaskers = _play_rounds(clients, server, before, after)
    total = server.aggregate({c.index: c.unmasking_shares(survivors) for c in unmaskers})
    return SecureAggregationResult(
        total=total.reshape(shape), included=survivors, dropped_before_masking=before, dropped_after_masking=after,
        encoding=encoding, threshold=threshold, masked_inputs=dict(server.masked_inputs),
        bytes_sent=np.array([c.bytes_sent for c in clients]),
        bytes_received=np.array([c.bytes_received for c in clients]),
        client_seconds=np.array([c.seconds for c in clients]), server_seconds=server.seconds,
        bytes_by_round=np.array([c.bytes_by_round for c in clients]))
