"""What one deletion costs: exact retraining against SISA at several shard counts and dataset sizes.

    .venv/bin/python benchmarks/unlearning_cost.py     # 1,000 and all 5,000 MNIST images, 20,000 synthetic
    .venv/bin/python benchmarks/unlearning_cost.py --sizes 1000 5000 --shards 1 5 20 --deletions 3

For each dataset size n and shard count S (R slices), trains SISA (``ppml_lab.unlearning.train_sisa``;
an MLP, 20 epochs, batches of 64) and serves a stream of single-record deletions, then retrains one
model from scratch (S = R = 1) on what is left: the baseline. Prints, per (n, S), the speed-up per
deletion as ratios: counted in samples processed (exact, the same on every machine), measured in
wall-clock time (depends on the machine and its load: with tiny shards, per-call overhead shows),
and the formula 3SR/(2R+1). Sizes above 5,000 are synthetic (MNIST5k's images, each with fresh
pixel noise, seeded), so that the cost of larger datasets can be measured offline. Not a timed test.
"""

from __future__ import annotations

import argparse
import time


def dataset(n: int, seed: int = 0):
    """The first n images of MNIST5k; beyond 5,000, copies of them with seeded noise (a larger synthetic set)."""
    import numpy as np

    import ppml_lab as lab

    base = lab.datasets.load_mnist5k()
    if n <= len(base):
        return lab.datasets.ImageDataset(base.images[:n], base.labels[:n])
    rng = np.random.default_rng(seed)
    index = np.arange(n) % len(base)
    images = np.clip(base.images[index] + rng.normal(0, 0.1, base.images[index].shape), 0, 1).astype(np.float32)
    return lab.datasets.ImageDataset(images, base.labels[index])


def main() -> None:
    import numpy as np

    import ppml_lab as lab

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--deletions", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    lab.seed_everything(0)
    print(f"{'n':>6} {'S':>3} {'R':>2}  {'speed-up (samples)':>18} {'speed-up (time)':>15} {'3SR/(2R+1)':>10}"
          f"  {'full retraining (s)':>19}")
    for n in args.sizes:
        data = dataset(n)
        for shards in args.shards:
            slices = 1 if shards == 1 else args.slices
            start = time.perf_counter()
            sisa = lab.unlearning.train_sisa(data, shards, slices, epochs=args.epochs, seed=0)
            train_seconds = time.perf_counter() - start
            stream = lab.unlearning.measure_deletion_stream(sisa, args.deletions, rng=np.random.default_rng(n))
            print(f"{n:>6} {shards:>3} {slices:>2}  {stream.speedup_samples:>18.1f} {stream.speedup_seconds:>15.1f} "
                  f"{lab.unlearning.expected_speedup(shards, slices):>10.1f}  {stream.full_seconds:>19.1f}"
                  f"   (SISA training {train_seconds:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
