"""What DP-SGD costs in time and memory: one epoch non-private vs Opacus's grad-sample modes; sweep throughput.

    .venv/bin/python benchmarks/dpsgd_overhead.py                 # small CNN, CPU
    .venv/bin/python benchmarks/dpsgd_overhead.py --model mlp --device cuda
    .venv/bin/python benchmarks/dpsgd_overhead.py --sweep --model logistic   # cells per minute, both backends

Measured in one run on the same model, data (the 4,000 training images of mnist5k) and batch
size: seconds per epoch without privacy (``ppml_lab.training.train_classifier``) and with DP-SGD
(``ppml_lab.dpsgd.train_dpsgd`` with a fixed noise multiplier) in the ``hooks``, ``functorch``
and ``ghost`` (fast gradient clipping) modes, each as a ratio to non-private; and the peak memory
of each. Every configuration runs in its own fresh process, so peak memory is not shared: on CPU
it is the growth of the process's peak resident set over its state just before training, on CUDA
``torch.cuda.max_memory_allocated``. Not a timed test: numbers depend on the machine and its load.

``--sweep`` measures what the default ``grad_sample_mode="auto"`` buys a sweep: the throughput (cells
per minute, 2 workers) of ``ppml_lab.sweep.run_sweep`` on a small epsilon x clip grid of the CLI's
default cell (3 epochs, batch 256, PRV accountant), before (``hooks``, the old default) and after
(``auto``), on the process pool (``n_jobs=2``) and on a local Ray with 2 CPUs, with the cache off.
The Ray figures include starting and stopping Ray.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import warnings

MODES = ("non-private", "hooks", "functorch", "ghost")


def _rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, model_name: str, batch_size: int, epochs: int, device: str, threads: int) -> dict:
    """Train ``epochs`` epochs in ``mode`` (in this process); return seconds per epoch and peak memory."""
    import torch

    import ppml_lab as lab

    warnings.filterwarnings("ignore")
    torch.set_num_threads(threads)
    train, test = lab.datasets.train_test_split(lab.datasets.load_mnist5k(), 0.2, rng=0)
    model = lab.models.build_model(model_name, seed=0)
    warm = lab.models.build_model(model_name, seed=0)  # one short warm-up run: imports, allocator, kernels
    small = lab.datasets.ImageDataset(train.images[:512], train.labels[:512])
    if mode == "non-private":
        lab.training.train_classifier(warm, small, epochs=1, batch_size=batch_size, lr=0.1)
    else:
        lab.dpsgd.train_dpsgd(warm, small, test, epsilon=None, noise_multiplier=1.0, epochs=1,
                              batch_size=min(batch_size, 256), lr=0.1, grad_sample_mode=mode, device=device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    before = _rss_mib()
    start = time.perf_counter()
    if mode == "non-private":
        if device != "cpu":
            raise SystemExit("the non-private loop (ppml_lab.training) runs on the CPU only; use --device cpu")
        lab.training.train_classifier(model, train, epochs=epochs, batch_size=batch_size, lr=0.1)
    else:
        lab.dpsgd.train_dpsgd(model, train, test, epsilon=None, noise_multiplier=1.0, epochs=epochs,
                              batch_size=batch_size, lr=0.1, grad_sample_mode=mode, device=device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = max(_rss_mib() - before, 0.0)
    return {"mode": mode, "seconds_per_epoch": (time.perf_counter() - start) / epochs, "peak_mib": peak}


SWEEP_BACKENDS = ("process", "ray")


def measure_sweep(mode: str, backend: str, model_name: str, epsilons: list[float], clips: list[float]) -> dict:
    """Run one uncached sweep of ``len(epsilons) * len(clips)`` cells plus a baseline; return cells per minute."""
    import ppml_lab as lab

    warnings.filterwarnings("ignore")
    config = lab.sweep.SweepConfig(model=model_name, grad_sample_mode=mode)
    start = time.perf_counter()
    table = lab.sweep.run_sweep(epsilons, clips, config=config, n_jobs=2, progress=False, use_cache=False,
                                backend=backend)
    minutes = (time.perf_counter() - start) / 60
    used = sorted(set(table.loc[table["private"], "grad_sample_mode"]))
    return {"mode": mode, "backend": backend, "cells": len(table), "minutes": minutes,
            "cells_per_minute": len(table) / minutes, "used": "/".join(used)}


def sweep_main(args: argparse.Namespace) -> None:
    """Print sweep throughput before (hooks) and after (auto) on both backends, each run in a fresh process."""
    rows = []
    for backend in SWEEP_BACKENDS:
        for mode in ("hooks", "auto"):
            command = [sys.executable, __file__, "--sweep-worker", f"{mode},{backend}", "--model", args.model]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
                rows.append({"mode": mode, "backend": backend, "error": reason})
                continue
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"Sweep throughput: model={args.model}, {len(SWEEP_EPSILONS) * len(SWEEP_CLIPS)} cells + 1 baseline "
          f"(3 epochs, batch 256, PRV), 2 workers, no cache")
    print(f"{'backend':<9} {'mode':<6} {'used':<7} {'cells':>5} {'minutes':>8} {'cells/min':>10}")
    for row in rows:
        if "error" in row:
            print(f"{row['backend']:<9} {row['mode']:<6} n/a     ({row['error'][:90]})")
            continue
        print(f"{row['backend']:<9} {row['mode']:<6} {row['used']:<7} {row['cells']:>5} {row['minutes']:>8.2f} "
              f"{row['cells_per_minute']:>10.1f}")


SWEEP_EPSILONS, SWEEP_CLIPS = [0.5, 1.0, 2.0, 4.0], [0.5, 1.0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cnn", choices=["logistic", "mlp", "cnn"])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per mode (median time is shown)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads in each measuring process")
    parser.add_argument("--sweep", action="store_true", help="measure sweep throughput (cells per minute) instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--sweep-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sweep_worker:
        mode, backend = args.sweep_worker.split(",")
        print(json.dumps(measure_sweep(mode, backend, args.model, SWEEP_EPSILONS, SWEEP_CLIPS)))
        return
    if args.sweep:
        sweep_main(args)
        return
    if args.worker:
        print(json.dumps(measure(args.worker, args.model, args.batch_size, args.epochs, args.device, args.threads)))
        return
    results = {}
    for mode in MODES:
        if mode == "non-private" and args.device != "cpu":
            continue
        runs = []
        for _ in range(args.repeats):
            command = [sys.executable, __file__, "--worker", mode, "--model", args.model, "--batch-size",
                       str(args.batch_size), "--epochs", str(args.epochs), "--device", args.device,
                       "--threads", str(args.threads)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
                runs = [{"mode": mode, "error": reason}]
                break
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        results[mode] = runs
    base = statistics.median(r["seconds_per_epoch"] for r in results.get("non-private", [{"seconds_per_epoch": 0}]))
    print(f"DP-SGD overhead: model={args.model}, batch {args.batch_size}, {args.epochs} epoch(s) of 4,000 "
          f"mnist5k images, device {args.device}, {args.threads} thread(s), median of {args.repeats} run(s)")
    print(f"{'mode':<12} {'s/epoch':>8} {'x non-private':>14} {'peak memory':>14}")
    for mode, runs in results.items():
        if "error" in runs[0]:
            print(f"{mode:<12} {'n/a':>8}   ({runs[0]['error'][:90]})")
            continue
        seconds = statistics.median(r["seconds_per_epoch"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        ratio = f"{seconds / base:.1f}x" if base else "-"
        label = "MiB (CUDA)" if args.device.startswith("cuda") else "MiB (RSS+)"
        print(f"{mode:<12} {seconds:>8.2f} {ratio:>14} {peak:>9.0f} {label}")


if __name__ == "__main__":
    main()
