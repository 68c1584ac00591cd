"""Operations per second of the teaching Paillier against python-paillier (phe), and of additive
secret sharing: the quality-bar table of issue 7 (notebook 07 measures the same in its section 8).

    .venv/bin/python benchmarks/paillier_speed.py                    # 1024 and 2048 bits
    .venv/bin/python benchmarks/paillier_speed.py 1024 2048 3072 --keys 5 --ops 50

Wall-clock timings: run on a quiet machine and repeat; key generation varies most (random prime gaps).
"""

from __future__ import annotations

import argparse
import platform

import pandas as pd

from ppml_lab import paillier, secret_sharing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bits", nargs="*", type=int, default=[1024, 2048])
    parser.add_argument("--keys", type=int, default=5, help="key pairs generated per implementation and size")
    parser.add_argument("--ops", type=int, default=50, help="encryptions/decryptions timed per size")
    args = parser.parse_args()
    table = pd.concat([paillier.benchmark(bits, n_keys=args.keys, n_ops=args.ops) for bits in args.bits])
    operations = ["keygen", "encrypt", "add", "decrypt"]
    wide = table.pivot(index="n_bits", columns="implementation", values=operations)
    ratio = paillier.speed_ratio(table)
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print("ops/s:\n" + wide.round(1).to_string())
    print("\nteaching / phe (1 = as fast):\n" + ratio.round(2).to_string())
    print("\nadditive secret sharing, 3 parties, ops/s:\n"
          + secret_sharing.benchmark(n_parties=3, n_ops=5000).round(0).to_string(index=False))


if __name__ == "__main__":
    main()
