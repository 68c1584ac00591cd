"""Cost of one round of secure aggregation (Bonawitz et al. 2017) as the number of clients grows.

    .venv/bin/python benchmarks/secure_aggregation.py                   # 10, 100 and 1,000 clients
    .venv/bin/python benchmarks/secure_aggregation.py --clients 10 100  # quicker
    .venv/bin/python benchmarks/secure_aggregation.py --check           # + sampled mode at n = 100

Runs the protocol of ``ppml_lab.secure_aggregation`` in one process (clients and server) on updates of
10,000 parameters drawn uniformly from [-1, 1], encoded with
precision 2^-16 in integers mod 2^32, threshold n // 2 + 1, and 10% of the clients dropping out
(half before sending their masked update, half after), so the server also pays for dropout recovery.

Reports, per number of clients n: the mean and max wall time of one client over all its rounds, the
server's time, the bytes each client sends and receives, the largest error of the recovered sum, and
the growth from one n to the next as a power of n (1 = linear, 2 = quadratic). Each client agrees a key
with every other client and Shamir-shares two secrets with all of them, so its work grows like n
(key agreements, n masks of fixed size) plus n * threshold (sharing): n^2 at this threshold; the server
recomputes (dropped x surviving) pairwise masks, also ~n^2 at a fixed dropout fraction.
Timings are single-threaded wall time and depend on the machine and its load; bytes do not.

Up to ``--full-up-to`` clients (default 100) every client runs in full. Beyond, a complete in-process
run costs n^2 key agreements (2 million at n = 1,000: 6 to 10 minutes on a loaded 2-core machine), so the
benchmark times a *sample* of ``--sample`` clients (default 10) that each do their complete, real work
against all n - 1 peers, and the real server on real messages. The other clients are stand-ins that
send exactly what the server and the sampled clients consume: real keys, real encrypted shares for
the sampled clients, real masked updates and real unmasking shares from ``threshold`` holders. They
leave out only what nobody measured reads: the pairwise masks between two surviving stand-ins (they
cancel in the sum, so the server never touches them) and shares that the server does not use. The
recovered sum is checked against the true sum, as in the full runs. ``--check`` also runs the largest
full size in sampled mode, so the two modes can be compared.
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ppml_lab import secure_aggregation as sa
from ppml_lab import shamir
from ppml_lab.secure_aggregation import FixedPointEncoding, secure_aggregate

UPDATE_SIZE = 10_000
DROPOUT_FRACTION = 0.10


ENCODING = FixedPointEncoding(precision=2.0**-16, value_range=1.0, modulus_bits=32)


def _scenario(n_clients: int, size: int, seed: int, protected: int = 0) -> tuple[np.ndarray, list[int], list[int]]:
    """Updates and the clients that drop before / after masking (never the first ``protected``)."""
    rng = np.random.default_rng(seed)
    updates = rng.uniform(-1.0, 1.0, size=(n_clients, size))
    n_dropped = int(round(DROPOUT_FRACTION * n_clients))
    dropped = protected + rng.permutation(n_clients - protected)[:n_dropped]
    return updates, sorted(dropped[: n_dropped // 2].tolist()), sorted(dropped[n_dropped // 2:].tolist())


def _row(n_clients: int, mode: str, threshold: int, before: list[int], after: list[int], client_seconds: np.ndarray,
         server_seconds: float, sent: np.ndarray, received: np.ndarray, error: float, bound: float, size: int,
         wall: float) -> dict[str, float | str]:
    return {"clients": n_clients, "mode": mode, "threshold": threshold, "dropped_before": len(before),
            "dropped_after": len(after), "client_s_mean": float(client_seconds.mean()),
            "client_s_max": float(client_seconds.max()), "server_s": server_seconds,
            "sent_kB_per_client": float(sent.mean()) / 1000, "received_kB_per_client": float(received.mean()) / 1000,
            "masked_update_kB": 4 * size / 1000, "max_abs_error": error, "error_bound": bound, "wall_s": wall}


def measure_full(n_clients: int, size: int = UPDATE_SIZE, seed: int = 0) -> dict[str, float | str]:
    """One full protocol round with ``n_clients`` clients, every one of them timed."""
    updates, before, after = _scenario(n_clients, size, seed)
    start = time.perf_counter()
    result = secure_aggregate(updates, encoding=ENCODING, drop_before_masking=before, drop_after_masking=after,
                              rng=seed)
    wall = time.perf_counter() - start
    finishers = [u for u in result.included if u not in after]  # clients that took part in every round
    error = float(np.abs(result.total - updates[result.included].sum(axis=0)).max())
    return _row(n_clients, "full", result.threshold, before, after, result.client_seconds[finishers],
                result.server_seconds, result.bytes_sent[finishers], result.bytes_received[finishers], error,
                result.max_error, size, wall)


def _deal_at(secret: np.ndarray, xs: list[int], threshold: int, rng: np.random.Generator) -> np.ndarray:
    """Shares of ``secret`` at exactly ``threshold`` points ``xs``: t - 1 uniform values, the last one solved
    so that f(0) = secret. Same distribution as evaluating a random polynomial, in O(t) instead of O(t^2)."""
    prime = shamir.PRIME
    weights = shamir.lagrange_coefficients(xs, 0)
    values = np.empty((threshold, secret.size), dtype=np.int64)
    values[1:] = rng.integers(0, prime, size=(threshold - 1, secret.size))
    partial = (weights[1:, None] * values[1:] % prime).sum(axis=0) % prime
    values[0] = (secret - partial) % prime * pow(int(weights[0]), prime - 2, prime) % prime
    return values


def measure_sampled(n_clients: int, size: int = UPDATE_SIZE, seed: int = 0, sample: int = 10) -> dict[str, float | str]:
    """One round with ``n_clients`` clients of which ``sample`` run (and are timed) in full; see the module doc."""
    updates, before, after = _scenario(n_clients, size, seed, protected=sample)
    threshold = n_clients // 2 + 1
    rng = np.random.default_rng(seed + 1)
    start = time.perf_counter()
    real = [sa.SecAggClient(u, updates[u], n_clients, threshold, ENCODING, rng.spawn(1)[0]) for u in range(sample)]
    stand_ins = range(sample, n_clients)
    c_keys = {v: sa.new_private_key(rng) for v in stand_ins}
    s_keys = {v: sa.new_private_key(rng) for v in stand_ins}
    self_seeds = {v: rng.bytes(32) for v in stand_ins}
    server = sa.SecAggServer(n_clients, threshold, size, ENCODING)
    # round 0
    adverts = {c.index: c.advertise_keys() for c in real}
    adverts.update({v: v.to_bytes(4, "little") + c_keys[v].public_key().public_bytes_raw()
                    + s_keys[v].public_key().public_bytes_raw() for v in stand_ins})
    adverts = server.collect_adverts(adverts)
    # round 1: stand-ins deal shares to the `threshold` holders the server will use (the sampled clients among them)
    dropped = set(before) | set(after)
    holders = [u for u in range(n_clients) if u not in dropped][:threshold]
    xs = [h + 1 for h in holders]
    dealt: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    messages = {c.index: c.share_keys(adverts) for c in real}
    for v in stand_ins:
        secrets = (shamir.bytes_to_field(s_keys[v].private_bytes_raw()), shamir.bytes_to_field(self_seeds[v]))
        salts = (rng.bytes(shamir.SALT_BYTES), rng.bytes(shamir.SALT_BYTES))  # shared with the secret (split_secret)
        dealt[v] = tuple(_deal_at(np.concatenate([secret, shamir.bytes_to_field(salt)]), xs, threshold, rng)
                         for secret, salt in zip(secrets, salts))
        message = bytearray(b"".join(shamir.commit(secret, threshold, salt).to_bytes()
                                     for secret, salt in zip(secrets, salts)))
        for position, recipient in enumerate(holders[:sample]):
            plaintext = b"".join(shamir.Share(recipient + 1, dealt[v][k][position]).to_bytes() for k in (0, 1))
            key = sa.agree_seed(c_keys[v], adverts[recipient][4:36], b"share encryption")
            message += recipient.to_bytes(4, "little") + AESGCM(key).encrypt(
                sa._nonce(v, recipient), plaintext, sa._aad(v, recipient))
        messages[v] = bytes(message)
    inbox = server.route_shares(messages)
    # round 2: stand-ins mask only with the peers whose masks someone reads (sampled clients, early droppers)
    masked = {c.index: c.masked_input(inbox[c.index]) for c in real}
    for v in stand_ins:
        if v not in before:
            seeds = {p: sa.agree_seed(s_keys[v], adverts[p][36:68]) for p in [*range(sample), *before] if p != v}
            y = sa.mask_update(ENCODING.encode(updates[v]), v, self_seeds[v], seeds, ENCODING.modulus_bits)
            masked[v] = sa._ring_to_bytes(y, ENCODING.modulus_bits)
    survivors = server.collect_masked(masked)
    # round 3: the sampled clients unmask in full; stand-in holders send the shares the server uses
    unmasking = {c.index: c.unmasking_shares(survivors) for c in real}
    for position, holder in enumerate(holders):
        if holder < sample:
            continue
        key = {u: sa.agree_seed(c_keys[holder], adverts[u][4:36], b"share encryption") for u in range(sample)}
        record = bytearray()
        for owner in range(n_clients):
            kind = 1 if owner in survivors else 0  # 1: self-mask seed b, 0: mask key s
            if owner < sample:
                plaintext = AESGCM(key[owner]).decrypt(sa._nonce(owner, holder), inbox[holder][owner],
                                                       sa._aad(owner, holder))
                share = shamir.Share.from_bytes(plaintext[kind * sa.SHARE_BYTES:(kind + 1) * sa.SHARE_BYTES])
            else:
                share = shamir.Share(holder + 1, dealt[owner][kind][position])
            record += owner.to_bytes(4, "little") + (b"b" if kind else b"s") + share.to_bytes()
        unmasking[holder] = bytes(record)
    total = server.aggregate(unmasking)
    wall = time.perf_counter() - start
    error = float(np.abs(total - updates[survivors].sum(axis=0)).max())
    return _row(n_clients, f"sampled ({sample} timed)", threshold, before, after, np.array([c.seconds for c in real]),
                server.seconds, np.array([c.bytes_sent for c in real]), np.array([c.bytes_received for c in real]),
                error, len(survivors) * ENCODING.precision / 2, size, wall)


def growth(rows: list[dict[str, float]], key: str) -> list[str]:
    """Exponent b in cost ~ n^b between consecutive sizes, as measured."""
    out = []
    for previous, current in zip(rows, rows[1:]):
        ratio = current[key] / previous[key]
        out.append(f"{previous['clients']}->{current['clients']}: x{ratio:.1f} "
                   f"(n^{math.log(ratio) / math.log(current['clients'] / previous['clients']):.2f})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--size", type=int, default=UPDATE_SIZE, help="parameters per update")
    parser.add_argument("--full-up-to", type=int, default=100, help="largest n run with every client in full")
    parser.add_argument("--sample", type=int, default=10, help="clients timed in full beyond --full-up-to")
    parser.add_argument("--check", action="store_true", help="also run the largest full n in sampled mode")
    args = parser.parse_args()
    print(f"secure aggregation, {args.size:,} parameters per update, 32-bit ring, precision 2^-16, "
          f"threshold n//2+1, {DROPOUT_FRACTION:.0%} dropouts; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}", flush=True)
    header = ("clients", "mode", "client s (mean)", "client s (max)", "server s", "sent kB/client",
              "received kB/client", "max error", "bound", "wall s")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    plan = [(n, n <= args.full_up_to) for n in args.clients]
    if args.check:
        plan.append((max(n for n in args.clients if n <= args.full_up_to), False))
    results = []
    for n, full in plan:
        row = measure_full(n, args.size) if full else measure_sampled(n, args.size, sample=args.sample)
        results.append(row)
        print(f"| {n:,} | {row['mode']} | {row['client_s_mean']:.3f} | {row['client_s_max']:.3f} | "
              f"{row['server_s']:.2f} | {row['sent_kB_per_client']:.1f} | {row['received_kB_per_client']:.1f} | "
              f"{row['max_abs_error']:.1e} | {row['error_bound']:.1e} | {row['wall_s']:.1f} |", flush=True)
    rows = results[:len(args.clients)]  # growth over the requested sizes (not the --check row)
    if len(rows) > 1:
        for key, label in [("client_s_mean", "client time"), ("server_s", "server time"),
                           ("sent_kB_per_client", "bytes sent per client"),
                           ("received_kB_per_client", "bytes received per client")]:
            print(f"growth of {label}: " + "; ".join(growth(rows, key)))


if __name__ == "__main__":
    main()
