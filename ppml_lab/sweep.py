"""Sweep DP-SGD over a grid of (epsilon, clipping norm, seed), one cached model per cell.

Taught in ``notebooks/02_dpsgd.ipynb`` (the widgets read from it) and run at scale by the command
line (``python -m ppml_lab sweep dpsgd ...``). Every finished cell is stored on disk by
:func:`ppml_lab.cache.cached`, keyed by all its inputs and the package version, so a repeated
sweep, a widget move or a resumed (interrupted) sweep is answered from the cache. Cells run in this
process, in a pool of worker processes (``backend="process"``), or as Ray tasks on a local Ray or a
cluster (``backend="ray"``); every backend writes the same rows under the same keys, so a sweep
started on a laptop resumes on a cluster and back.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from .cache import cache_dir, cache_key, cached
from .datasets import ImageDataset, load_mnist5k, train_test_split
from .progress import Progress
from .validation import (
    ParameterTypeError,
    check_delta,
    check_epsilon,
    check_one_of,
    check_positive,
    check_positive_int,
)

__all__ = [
    "BACKENDS",
    "DATASETS",
    "FEATURES",
    "HOLDOUTS",
    "RESULT_COLUMNS",
    "SweepConfig",
    "data_split",
    "is_cached",
    "run_sweep",
    "summarize",
    "sweep_cell",
]

BACKENDS = ("process", "ray")
DATASETS = ("mnist5k",)
FEATURES = ("pixels", "hog")
#: "test": train on the 4,000 training images, score on the 1,000 test images (report only).
#: "validation": train on 3,200 of the training images, score on the other 800 (choose hyper-parameters).
HOLDOUTS = ("test", "validation")
NAMESPACE = "dpsgd_sweep"
RESULT_COLUMNS = ["epsilon_target", "epsilon_spent", "delta", "clip", "noise_multiplier", "accuracy",
                  "train_seconds", "seed", "private", "grad_sample_mode"]


@dataclass(frozen=True)
class SweepConfig:
    """Everything a cell depends on besides (epsilon, clip, seed): part of every cache key."""

    dataset: str = "mnist5k"
    features: str = "pixels"      # "pixels" or "hog" (fixed hand-crafted features, ppml_lab.features)
    model: str = "logistic"       # a name from ppml_lab.models.MODELS
    epochs: int = 3
    batch_size: int = 256
    lr: float = 2.0
    delta: float = 1e-5
    accountant: str = "prv"
    holdout: str = "test"         # "validation" to choose hyper-parameters without touching the test set
    grad_sample_mode: str = "auto"  # Opacus's clipping mode; "auto": the fastest exact one for the model

    def __post_init__(self) -> None:
        from .dpsgd import ACCOUNTANTS, GRAD_SAMPLE_MODES
        from .models import MODELS

        check_one_of(self.dataset, DATASETS, "dataset")
        check_one_of(self.features, FEATURES, "features")
        check_one_of(self.model, set(MODELS) - {"cnn_bn"}, "model")
        if self.features == "hog" and self.model.startswith("cnn"):
            raise ValueError(f"model must be 'logistic' or 'mlp' with features='hog', got {self.model!r}")
        check_positive_int(self.epochs, "epochs")
        check_positive_int(self.batch_size, "batch_size")
        check_positive(self.lr, "lr")
        check_delta(self.delta)
        check_one_of(self.accountant, ACCOUNTANTS, "accountant")
        check_one_of(self.holdout, HOLDOUTS, "holdout")
        check_one_of(self.grad_sample_mode, ("auto", *GRAD_SAMPLE_MODES), "grad_sample_mode")


def data_split(dataset: str = "mnist5k", features: str = "pixels", holdout: str = "test") -> tuple[ImageDataset,
                                                                                                     ImageDataset]:
    """(training data, evaluation data) for a sweep: the lab's fixed 80/20 split (seed 0), or with
    ``holdout="validation"`` its training part split again 80/20 (seed 1) into fitting and validation data."""
    check_one_of(dataset, DATASETS, "dataset")
    check_one_of(features, FEATURES, "features")
    check_one_of(holdout, HOLDOUTS, "holdout")
    return _split(dataset, features, holdout)


@lru_cache(maxsize=8)
def _split(dataset: str, features: str, holdout: str = "test") -> tuple[ImageDataset, ImageDataset]:
    train, test = train_test_split(load_mnist5k(), 0.2, rng=0)
    if holdout == "validation":
        train, test = train_test_split(train, 0.2, rng=1)
    if features == "hog":
        from .features import featurize

        train, test = featurize(train), featurize(test)
    return train, test


def _cell_inputs(epsilon: float | None, clip: float | None, seed: int, config: SweepConfig) -> dict[str, Any]:
    return {"epsilon": epsilon, "clip": clip, "seed": seed, **asdict(config)}


def _compute_cell(epsilon: float | None, clip: float | None, seed: int, config: SweepConfig) -> dict[str, Any]:
    """Train one model (DP-SGD, or the baseline when epsilon is None) and return its row."""
    from .dpsgd import train_dpsgd
    from .models import build_model

    train, test = _split(config.dataset, config.features, config.holdout)
    n_features = int(train.images[0].size)
    kwargs = {} if config.model.startswith("cnn") else {"n_features": n_features}
    model = build_model(config.model, seed=seed, **kwargs)
    result = train_dpsgd(model, train, test, epsilon=epsilon, delta=config.delta, max_grad_norm=clip or 1.0,
                         epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
                         accountant=config.accountant, seed=seed, grad_sample_mode=config.grad_sample_mode)
    return {"epsilon_target": math.nan if epsilon is None else float(epsilon),
            "epsilon_spent": math.nan if result.epsilon is None else result.epsilon, "delta": config.delta,
            "clip": math.nan if clip is None else float(clip), "noise_multiplier": result.noise_multiplier,
            "accuracy": result.accuracy, "train_seconds": result.train_seconds, "seed": seed,
            "private": epsilon is not None, "grad_sample_mode": result.grad_sample_mode or "none"}


def _check_cell(epsilon: float | None, clip: float | None, seed: int, config: SweepConfig) -> None:
    if epsilon is not None:
        check_epsilon(epsilon)
    if clip is not None:
        check_positive(clip, "clip")
    if (epsilon is None) != (clip is None):
        raise ValueError(f"epsilon and clip must both be None (the baseline) or both numbers, "
                         f"got {epsilon!r}, {clip!r}")
    check_positive_int(seed, "seed", minimum=0)
    if not isinstance(config, SweepConfig):
        raise ParameterTypeError(f"config must be a SweepConfig, got {type(config).__name__}")


def sweep_cell(epsilon: float | None, clip: float | None, seed: int = 0,
               config: SweepConfig = SweepConfig(), use_cache: bool = True) -> dict[str, Any]:
    """One cell's row, from the on-disk cache when it was computed before (baseline: epsilon=clip=None)."""
    _check_cell(epsilon, clip, seed, config)
    return cached(NAMESPACE, _cell_inputs(epsilon, clip, seed, config),
                  lambda: _compute_cell(epsilon, clip, seed, config), enabled=use_cache)


def _cell_in_worker(epsilon: float | None, clip: float | None, seed: int, config: SweepConfig,
                    use_cache: bool) -> dict[str, Any]:
    """A worker process computes and stores its cell itself, so a finished cell survives an interrupt."""
    import torch

    torch.set_num_threads(1)  # n_jobs processes share the cores; one thread each avoids oversubscription
    return sweep_cell(epsilon, clip, seed, config, use_cache)


def is_cached(epsilon: float | None, clip: float | None, seed: int = 0, config: SweepConfig = SweepConfig()) -> bool:
    """Whether this cell is already on disk (a widget can say "training..." before a slow move)."""
    _check_cell(epsilon, clip, seed, config)
    key = cache_key(NAMESPACE, _cell_inputs(epsilon, clip, seed, config))
    return (cache_dir() / NAMESPACE / f"{key}.pkl").exists()


Cell = tuple[float | None, float | None, int]


def _cell_on_ray(epsilon: float | None, clip: float | None, seed: int, config: SweepConfig) -> tuple[str, dict]:
    """A Ray task's body: train one cell on one thread; return (this node's code fingerprint, the row).

    The driver stores the row in its own cache, so a cluster needs no shared filesystem, and refuses
    rows from a node whose ppml_lab code differs from the driver's (its key would not describe them).
    """
    import torch

    from .cache import code_fingerprint

    torch.set_num_threads(1)  # one CPU per task (num_cpus=1): Ray runs as many tasks as the cluster has CPUs
    return code_fingerprint(), _compute_cell(epsilon, clip, seed, config)


def _run_in_processes(cells: list[Cell], config: SweepConfig, n_jobs: int, use_cache: bool, bar: Progress):
    """Yield (index, row) as worker processes finish their cells (each worker writes its own cache entry)."""
    context = multiprocessing.get_context("spawn")  # torch is not fork-safe once its threads start
    with ProcessPoolExecutor(max_workers=min(n_jobs, len(cells)), mp_context=context) as pool:
        futures = {pool.submit(_cell_in_worker, *cell, config, use_cache): i for i, cell in enumerate(cells)}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
                bar.update()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _run_on_ray(cells: list[Cell], config: SweepConfig, address: str | None, use_cache: bool, bar: Progress):
    """Yield (index, row) as Ray tasks (one CPU each) finish; the driver caches each row as it arrives."""
    import ray

    from .cache import code_fingerprint
    from .ray_runtime import start_ray

    runtime = start_ray(address, num_cpus=2)
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_cell_on_ray)
        pending = {task.remote(*cell, config): i for i, cell in enumerate(cells)}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                index = pending.pop(done[0])
                fingerprint, row = ray.get(done[0])
                if fingerprint != code_fingerprint():
                    raise RuntimeError(f"a Ray node runs other ppml_lab code (fingerprint {fingerprint}, here "
                                       f"{code_fingerprint()}): install the same commit on every node")
                epsilon, clip, seed = cells[index]
                yield index, cached(NAMESPACE, _cell_inputs(epsilon, clip, seed, config), lambda row=row: row,
                                    enabled=use_cache)
                bar.update()
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    finally:
        runtime.close()


def _check_grid(epsilons: Sequence[float], clips: Sequence[float], seeds: Sequence[int],
                config: SweepConfig) -> tuple[list[float], list[float], list[int]]:
    for name, values in (("epsilons", epsilons), ("clips", clips), ("seeds", seeds)):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise ParameterTypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    if not isinstance(config, SweepConfig):
        raise ParameterTypeError(f"config must be a SweepConfig, got {type(config).__name__}")
    epsilons = [check_epsilon(e) for e in epsilons]
    clips = [check_positive(c, "clip") for c in clips]
    seeds = [check_positive_int(s, "seed", minimum=0) for s in seeds]
    if not epsilons or not clips or not seeds:
        raise ValueError(f"epsilons, clips and seeds must be non-empty, got {len(epsilons)}, {len(clips)}, "
                         f"{len(seeds)} values")
    return epsilons, clips, seeds


def run_sweep(epsilons: Sequence[float], clips: Sequence[float], seeds: Sequence[int] = (0,),
              config: SweepConfig = SweepConfig(), *, baseline: bool = True, n_jobs: int = 1,
              progress: bool = True, use_cache: bool = True, backend: str = "process",
              address: str | None = None) -> pd.DataFrame:
    """Train one model per (epsilon, clip, seed) cell, plus one baseline per seed; one row per model.

    Cells already on disk are read, the rest trained with a progress bar and each stored as soon as
    it is done, so an interrupted sweep resumes where it stopped. ``backend="process"`` trains here
    (``n_jobs=1``) or in ``n_jobs`` worker processes; ``backend="ray"`` makes each cell a Ray task
    (one CPU) on the cluster at ``address`` ("auto", "HOST:PORT", "ray://HOST:10001"), or on a local
    Ray with 2 CPUs started and stopped here when ``address`` is None (``n_jobs`` is then unused: the
    cluster's CPUs set the parallelism). Both backends give the same rows under the same cache keys.
    Columns: :data:`RESULT_COLUMNS`.
    """
    epsilons, clips, seeds = _check_grid(epsilons, clips, seeds, config)
    n_jobs = check_positive_int(n_jobs, "n_jobs")
    check_one_of(backend, BACKENDS, "backend")
    if address is not None and backend != "ray":
        raise ValueError(f"address must be None unless backend='ray', got {address!r} with backend={backend!r}")
    if address is not None:
        from .ray_runtime import check_reachable

        check_reachable(address)  # a wrong address fails here, within seconds, before any work
    cells: list[Cell] = [(None, None, s) for s in seeds] if baseline else []
    cells += [(e, c, s) for e in epsilons for c in clips for s in seeds]
    rows: dict[int, dict[str, Any]] = {}
    todo = []
    for index, cell in enumerate(cells):
        if use_cache and is_cached(*cell, config):
            rows[index] = sweep_cell(*cell, config)
        else:
            todo.append(index)
    bar = Progress(total=len(cells), initial=len(rows), desc="DP-SGD sweep", unit="model", disable=not progress)
    missing = [cells[i] for i in todo]
    try:
        if backend == "ray" and todo:
            finished = _run_on_ray(missing, config, address, use_cache, bar)
        elif n_jobs > 1 and len(todo) > 1:
            finished = _run_in_processes(missing, config, n_jobs, use_cache, bar)
        else:
            finished = ((k, _train_here(cell, config, use_cache, bar)) for k, cell in enumerate(missing))
        for position, row in finished:
            rows[todo[position]] = row
    finally:
        bar.close()
    return pd.DataFrame([rows[i] for i in range(len(cells))], columns=RESULT_COLUMNS)


def _train_here(cell: Cell, config: SweepConfig, use_cache: bool, bar: Progress) -> dict[str, Any]:
    row = sweep_cell(*cell, config, use_cache)
    bar.update()
    return row


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of accuracy over seeds, per (epsilon, clip); the baseline has NaN keys."""
    if not isinstance(results, pd.DataFrame):
        raise ParameterTypeError(f"results must be a pandas DataFrame from run_sweep, got {type(results).__name__}")
    missing = sorted({"private", "epsilon_target", "clip", "accuracy"} - set(results.columns))
    if missing or results.empty:
        raise ValueError(f"results must be a non-empty table from run_sweep; missing columns {missing}, "
                         f"{len(results)} rows")
    grouped = results.groupby(["private", "epsilon_target", "clip"], dropna=False)["accuracy"]
    table = grouped.agg(accuracy_mean="mean", accuracy_std="std", seeds="count").reset_index()
    table["accuracy_std"] = table["accuracy_std"].fillna(0.0)
    return table.drop(columns="private")
