"""What a deletion costs under SISA, against retraining from scratch: a formula, a measured stream, a grid."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cache import cached
from ..datasets import ImageDataset, check_dataset
from ..progress import Progress
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_positive_int
from .exact import remaining
from .sisa import SISAModel, train_sisa

__all__ = ["expected_speedup", "DeletionStream", "measure_deletion_stream", "sisa_grid"]


def expected_speedup(n_shards: int, n_slices: int) -> float:
    """Expected samples of a full retraining over those of one SISA deletion: 3 S R / (2 R + 1).

    One record deleted uniformly at random, equal shards and slices, and each stage trained for
    2 E / (R + 1) passes (:class:`SISAModel`): the deletion retrains stages r..R-1 of one shard,
    on average E n (2 R + 1) / (3 S R) samples against E n for the full retraining. S for R = 1,
    tending to 1.5 S as R grows (Bourtoule et al. 2021, Section V).
    """
    n_shards = check_positive_int(n_shards, "n_shards")
    n_slices = check_positive_int(n_slices, "n_slices")
    return 3 * n_shards * n_slices / (2 * n_slices + 1)


@dataclass(frozen=True)
class DeletionStream:
    """Costs of deletion requests served one at a time, and of one full retraining (the baseline)."""

    n_shards: int
    n_slices: int
    samples: tuple[int, ...]     # per deletion: samples processed (exact)
    seconds: tuple[float, ...]   # per deletion: wall-clock seconds (machine-dependent)
    full_samples: int            # retraining one model on all the retained data
    full_seconds: float

    @property
    def speedup_samples(self) -> float:
        """Full retraining's samples over a deletion's, on average over the stream."""
        return self.full_samples / float(np.mean(self.samples))

    @property
    def speedup_seconds(self) -> float:
        """Full retraining's wall-clock time over a deletion's, on average over the stream."""
        return self.full_seconds / float(np.mean(self.seconds))


def measure_deletion_stream(sisa: SISAModel, n_deletions: int, rng: np.random.Generator | int | None = 0
                            ) -> DeletionStream:
    """Delete ``n_deletions`` random records one request at a time; time each, and one full retraining.

    The full retraining is :func:`train_sisa` with one shard and one slice (one model, the same
    hyper-parameters) on the data left after the stream. Changes ``sisa`` (the records are deleted).
    """
    if not isinstance(sisa, SISAModel):
        raise ParameterTypeError(f"sisa must be a SISAModel (from train_sisa), got {type(sisa).__name__}")
    left = np.flatnonzero(~sisa.deleted)
    n_deletions = check_positive_int(n_deletions, "n_deletions")
    if n_deletions > len(left) - sisa.n_shards * sisa.n_slices:
        raise ValueError(f"n_deletions must be in [1, {len(left) - sisa.n_shards * sisa.n_slices}] (leave a record "
                         f"in every slice), got {n_deletions}")
    requests = as_rng(rng).choice(left, size=n_deletions, replace=False)
    costs = [sisa.delete([int(record)]) for record in requests]
    retained = remaining(sisa.data, np.flatnonzero(sisa.deleted))
    start = time.perf_counter()
    full = train_sisa(retained, 1, 1, seed=sisa.seed, **sisa.settings)
    full_seconds = time.perf_counter() - start
    return DeletionStream(sisa.n_shards, sisa.n_slices, tuple(c.samples_processed for c in costs),
                          tuple(c.seconds for c in costs), full.samples_processed, full_seconds)


def _grid_row(train: ImageDataset, test: ImageDataset, n_shards: int, n_slices: int, seed: int, n_deletions: int,
              settings: dict, measure: bool) -> dict:
    sisa = train_sisa(train, n_shards, n_slices, seed=seed, **settings)
    row = {"shards": n_shards, "slices": n_slices, "seed": seed,
           **{f"accuracy ({a})": sisa.accuracy(test, a) for a in ("vote", "average")},
           "expected speed-up": expected_speedup(n_shards, n_slices)}
    if measure:
        stream = measure_deletion_stream(sisa, n_deletions, rng=seed)
        row.update({"speed-up (samples)": stream.speedup_samples, "speed-up (time)": stream.speedup_seconds,
                    "samples per deletion": float(np.mean(stream.samples)),
                    "samples full retraining": stream.full_samples})
    return row


def sisa_grid(train: ImageDataset, test: ImageDataset, shards: tuple[int, ...], slices: tuple[int, ...],
              seeds: tuple[int, ...] = (0,), n_deletions: int = 5, progress: bool = True, **settings) -> pd.DataFrame:
    """One row per (shards, slices, seed): test accuracy (vote and average) and the measured speed-ups.

    The deletion stream (``n_deletions`` single requests) runs for the first seed only (the other
    seeds give the accuracy's spread). Each row is cached by all its inputs (``settings`` go to
    :func:`train_sisa`); the time speed-up of a row read from the cache is the one measured when
    it was computed.
    """
    check_dataset(train, "train")
    check_dataset(test, "test")
    for name, values in (("shards", shards), ("slices", slices), ("seeds", seeds)):
        if not isinstance(values, (tuple, list)) or not values:
            raise ValueError(f"{name} must be a non-empty tuple of integers, got {values!r}")
        for value in values:
            check_positive_int(value, name, minimum=0 if name == "seeds" else 1)
    n_deletions = check_positive_int(n_deletions, "n_deletions")
    for n_shards in shards:
        for n_slices in slices:
            if n_shards * n_slices + n_deletions > len(train):
                raise ValueError(f"shards x slices + n_deletions must be <= {len(train)} records, got "
                                 f"{n_shards} x {n_slices} + {n_deletions}")
    train_sisa(ImageDataset(train.images[:1], train.labels[:1]), 1, 1, **settings)  # checks settings early
    cells = [(s, r, seed) for s in shards for r in slices for seed in seeds]
    rows = [cached("unlearning_sisa_grid", {"train": train.fingerprint(), "test": test.fingerprint(), "shards": s,
                                            "slices": r, "seed": seed, "n_deletions": n_deletions, **settings},
                   lambda s=s, r=r, seed=seed: _grid_row(train, test, s, r, seed, n_deletions, settings,
                                                         seed == seeds[0]))
            for s, r, seed in Progress(cells, desc="SISA grid", disable=not progress)]
    return pd.DataFrame(rows)
