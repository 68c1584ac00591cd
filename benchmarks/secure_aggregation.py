"""Cost of one round of secure aggregation (Bonawitz et al. 2017) as the number of clients grows.

    .venv/bin/python benchmarks/secure_aggregation.py                   # 10, 100 and 1,000 clients
    .venv/bin/python benchmarks/secure_aggregation.py --clients 10 100  # quicker

Runs the complete protocol of ``ppml_lab.secure_aggregation.secure_aggregate`` in one process, every
client and the server, on updates of 10,000 parameters drawn uniformly from [-1, 1], encoded with
precision 2^-16 in integers mod 2^32, threshold n // 2 + 1, and 10% of the clients dropping out
(half before sending their masked update, half after), so the server also pays for dropout recovery.

Reports, per number of clients n: the mean and max wall time of one client over all its rounds, the
server's time, the bytes each client sends and receives, the largest error of the recovered sum, and
the growth from one n to the next as a power of n (1 = linear, 2 = quadratic). Each client agrees a key
with every other client and Shamir-shares two secrets with all of them, so its work grows like n
(key agreements, n masks of fixed size) plus n * threshold (sharing): n^2 at this threshold; the server
recomputes (dropped x surviving) pairwise masks, also ~n^2 at a fixed dropout fraction.
Timings are single-threaded wall time and depend on the machine and its load; bytes do not.
The 1,000-client run executes one million key agreements: about 3 to 6 minutes on one core.
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np

from ppml_lab.secure_aggregation import FixedPointEncoding, secure_aggregate

UPDATE_SIZE = 10_000
DROPOUT_FRACTION = 0.10


def measure(n_clients: int, size: int = UPDATE_SIZE, seed: int = 0) -> dict[str, float]:
    """One full protocol round with ``n_clients`` clients; costs and the recovered sum's error."""
    rng = np.random.default_rng(seed)
    updates = rng.uniform(-1.0, 1.0, size=(n_clients, size))
    n_dropped = int(round(DROPOUT_FRACTION * n_clients))
    dropped = rng.permutation(n_clients)[:n_dropped]
    before, after = sorted(dropped[: n_dropped // 2]), sorted(dropped[n_dropped // 2:])
    encoding = FixedPointEncoding(precision=2.0**-16, value_range=1.0, modulus_bits=32)
    start = time.perf_counter()
    result = secure_aggregate(updates, encoding=encoding, drop_before_masking=before, drop_after_masking=after,
                              rng=seed)
    wall = time.perf_counter() - start
    finishers = [u for u in result.included if u not in after]  # clients that took part in every round
    return {
        "clients": n_clients,
        "threshold": result.threshold,
        "dropped_before": len(before),
        "dropped_after": len(after),
        "client_s_mean": float(result.client_seconds[finishers].mean()),
        "client_s_max": float(result.client_seconds[finishers].max()),
        "server_s": result.server_seconds,
        "sent_kB_per_client": float(result.bytes_sent[finishers].mean()) / 1000,
        "received_kB_per_client": float(result.bytes_received[finishers].mean()) / 1000,
        "masked_update_kB": 4 * size / 1000,
        "max_abs_error": float(np.abs(result.total - updates[result.included].sum(axis=0)).max()),
        "error_bound": result.max_error,
        "wall_s": wall,
    }


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
    args = parser.parse_args()
    print(f"secure aggregation, {args.size:,} parameters per update, 32-bit ring, precision 2^-16, "
          f"threshold n//2+1, {DROPOUT_FRACTION:.0%} dropouts; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}", flush=True)
    header = ("clients", "client s (mean)", "client s (max)", "server s", "sent kB/client", "received kB/client",
              "max error", "bound", "wall s")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    rows = []
    for n in args.clients:
        row = measure(n, args.size)
        rows.append(row)
        print(f"| {n:,} | {row['client_s_mean']:.3f} | {row['client_s_max']:.3f} | {row['server_s']:.2f} | "
              f"{row['sent_kB_per_client']:.1f} | {row['received_kB_per_client']:.1f} | "
              f"{row['max_abs_error']:.1e} | {row['error_bound']:.1e} | {row['wall_s']:.1f} |", flush=True)
    if len(rows) > 1:
        for key, label in [("client_s_mean", "client time"), ("server_s", "server time"),
                           ("sent_kB_per_client", "bytes sent per client"),
                           ("received_kB_per_client", "bytes received per client")]:
            print(f"growth of {label}: " + "; ".join(growth(rows, key)))


if __name__ == "__main__":
    main()
