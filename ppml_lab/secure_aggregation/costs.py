"""What one round costs (bytes per round, seconds, whether the sum survives the dropouts), for lesson 06's widget."""

from __future__ import annotations

import numpy as np

from ..cache import cached
from ..validation import check_positive_int
from .encoding import FixedPointEncoding
from .parties import SecAggClient, SecAggServer, _check_protocol_size
from .protocol import _play_rounds

__all__ = ["round_cost"]


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
    survivors, finishers = _play_rounds(clients, server, before, after)
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
