"""What DP-SGD costs in time and memory: one epoch non-private vs Opacus's grad-sample modes.

    .venv/bin/python benchmarks/dpsgd_overhead.py                 # small CNN, CPU
    .venv/bin/python benchmarks/dpsgd_overhead.py --model mlp --device cuda

Measured in one run on the same model, data (the 4,000 training images of mnist5k) and batch
size: seconds per epoch without privacy (``ppml_lab.training.train_classifier``) and with DP-SGD
(``ppml_lab.dpsgd.train_dpsgd`` with a fixed noise multiplier) in the ``hooks``, ``functorch``
and ``ghost`` (fast gradient clipping) modes, each as a ratio to non-private; and the peak memory
of each. Every configuration runs in its own fresh process, so peak memory is not shared: on CPU
it is the growth of the process's peak resident set over its state just before training, on CUDA
``torch.cuda.max_memory_allocated``. Not a timed test: numbers depend on the machine and its load.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="cnn", choices=["logistic", "mlp", "cnn"])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per mode (median time is shown)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads in each measuring process")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
