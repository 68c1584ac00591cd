"""SISA training (Bourtoule et al. 2021): Sharded, Isolated, Sliced, Aggregated.

The training set is split into ``n_shards`` disjoint shards, one model (a constituent) per shard,
so a record influences one constituent only. Each shard is split again into ``n_slices`` slices;
the constituent trains on slice 1, then slices 1-2, ... (one *stage* per slice) and a checkpoint
is saved after each stage. Deleting a record retrains only its shard, from the checkpoint saved
before its slice. The ensemble answers by majority vote or by averaging the constituents'
probabilities. Taught in ``notebooks/10_machine_unlearning.ipynb``.

Each stage trains for ``2 * epochs / (n_slices + 1)`` passes over its data, so a shard costs what
``epochs`` passes over the whole shard would (the paper's Section V-A adjustment): slicing makes
deletions cheaper without making training dearer. The optimizer's momentum restarts at each stage.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch
from torch import nn

from ..datasets import ImageDataset, check_dataset
from ..models import MODELS, build_model
from ..seeding import as_rng
from ..training import fit, predict_proba
from ..validation import ParameterTypeError, check_nonnegative, check_one_of, check_positive, check_positive_int
from .exact import Unlearned, check_record_ids

__all__ = ["sisa_assignment", "SISAModel", "train_sisa", "AGGREGATIONS"]

AGGREGATIONS = ("vote", "average")


def _check_layout(n_records: int, n_shards: int, n_slices: int) -> tuple[int, int]:
    n_shards = check_positive_int(n_shards, "n_shards")
    n_slices = check_positive_int(n_slices, "n_slices")
    if n_shards > n_records:
        raise ValueError(f"n_shards must be in [1, {n_records}] (at most one shard per record), got {n_shards}")
    if n_shards * n_slices > n_records:
        raise ValueError(f"n_slices must be in [1, {n_records // n_shards}] so that every slice of {n_shards} "
                         f"shards holds a record ({n_records} records), got {n_slices}")
    return n_shards, n_slices


def sisa_assignment(n_records: int, n_shards: int, n_slices: int, rng: np.random.Generator | int | None = 0
                    ) -> np.ndarray:
    """Shard and slice of each record, shape (n_records, 2): a random, balanced split (Bourtoule et al. 2021)."""
    n_records = check_positive_int(n_records, "n_records")
    n_shards, n_slices = _check_layout(n_records, n_shards, n_slices)
    assignment = np.zeros((n_records, 2), dtype=np.int64)
    for shard, ids in enumerate(np.array_split(as_rng(rng).permutation(n_records), n_shards)):
        for slice_, part in enumerate(np.array_split(ids, n_slices)):
            assignment[part] = (shard, slice_)
    return assignment


def _stage_seed(seed: int, shard: int, stage: int) -> int:
    return int(np.random.SeedSequence([seed, shard, stage]).generate_state(1)[0])


class SISAModel(nn.Module):
    """A SISA ensemble: constituents, the record ids of every (shard, slice), and a checkpoint after each slice.

    Called as a module it returns the log of the constituents' averaged probabilities, so any
    attack that reads logits (lesson 03's LiRA) can attack the ensemble. Built by :func:`train_sisa`.
    """

    def __init__(self, data: ImageDataset, assignment: np.ndarray, *, model: str, epochs: int, batch_size: int,
                 lr: float, momentum: float, seed: int) -> None:
        super().__init__()
        self.data, self.assignment = data, assignment
        self.n_shards, self.n_slices = int(assignment[:, 0].max()) + 1, int(assignment[:, 1].max()) + 1
        self.settings = dict(model=model, epochs=epochs, batch_size=batch_size, lr=lr, momentum=momentum)
        self.seed = seed
        self.deleted = np.zeros(len(data), dtype=bool)
        self.constituents = nn.ModuleList(build_model(model, seed=_stage_seed(seed, s, 2**31 - 1))
                                          for s in range(self.n_shards))
        self.checkpoints: list[list[dict]] = [[] for _ in range(self.n_shards)]
        self.samples_processed = self.gradient_steps = 0
        for shard in range(self.n_shards):
            samples, steps = self._train_shard(shard, 0)
            self.samples_processed += samples
            self.gradient_steps += steps

    @property
    def epochs_per_stage(self) -> float:
        """Passes over a stage's data: 2 * epochs / (n_slices + 1), so a shard costs ``epochs`` passes in all."""
        return 2 * self.settings["epochs"] / (self.n_slices + 1)

    def slice_ids(self, shard: int, slice_: int) -> np.ndarray:
        """The (not deleted) record ids of one slice of one shard."""
        mask = (self.assignment[:, 0] == shard) & (self.assignment[:, 1] == slice_) & ~self.deleted
        return np.flatnonzero(mask)

    def _stage_ids(self, shard: int, stage: int) -> np.ndarray:
        """Stage ``stage`` trains on slices 0..stage of the shard."""
        mask = (self.assignment[:, 0] == shard) & (self.assignment[:, 1] <= stage) & ~self.deleted
        return np.flatnonzero(mask)

    def _train_shard(self, shard: int, first_stage: int) -> tuple[int, int]:
        """(Re)train stages first_stage.. of one shard from the checkpoint before ``first_stage``."""
        constituent = self.constituents[shard]
        if first_stage == 0:
            fresh = build_model(self.settings["model"], seed=_stage_seed(self.seed, shard, 2**31 - 1))
            constituent.load_state_dict(fresh.state_dict())
        else:
            constituent.load_state_dict(self.checkpoints[shard][first_stage - 1])
        del self.checkpoints[shard][first_stage:]
        samples = steps = 0
        for stage in range(first_stage, self.n_slices):
            ids = self._stage_ids(shard, stage)
            n_samples = int(round(self.epochs_per_stage * len(ids)))
            samples_here, steps_here = _train_stage(constituent, self.data, ids, n_samples, self.settings,
                                                    _stage_seed(self.seed, shard, stage))
            samples, steps = samples + samples_here, steps + steps_here
            self.checkpoints[shard].append(copy.deepcopy(constituent.state_dict()))
        return samples, steps

    def locate(self, record_id: int) -> tuple[int, int]:
        """(shard, slice) of training record ``record_id``: what a deletion of it retrains."""
        (record_id,) = check_record_ids([record_id], len(self.data), "record_id")
        if self.deleted[record_id]:
            raise ValueError(f"record_id must be a record still in the training set, got {record_id} (deleted)")
        return int(self.assignment[record_id, 0]), int(self.assignment[record_id, 1])

    def delete(self, record_ids: object) -> Unlearned:
        """Forget ``record_ids``: retrain each affected shard from the checkpoint before its first affected slice."""
        ids = check_record_ids(record_ids, len(self.data))
        if self.deleted[ids].any():
            raise ValueError(f"record_ids must be records still in the training set, got already deleted ones: "
                             f"{ids[self.deleted[ids]][:5].tolist()}")
        after = self.deleted.copy()
        after[ids] = True
        for shard in np.unique(self.assignment[ids, 0]):
            if after[self.assignment[:, 0] == shard].all():
                raise ValueError(f"record_ids must leave a record in every shard, got all of shard {shard}")
        start = time.perf_counter()
        self.deleted = after
        samples = steps = 0
        for shard in np.unique(self.assignment[ids, 0]):
            first = int(self.assignment[ids][self.assignment[ids, 0] == shard, 1].min())
            samples_here, steps_here = self._train_shard(int(shard), first)
            samples, steps = samples + samples_here, steps + steps_here
        return Unlearned(self, "SISA", samples, steps, time.perf_counter() - start)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """log of the constituents' averaged probabilities (the "average" aggregation, as logits)."""
        probabilities = torch.stack([torch.softmax(m(x), dim=1) for m in self.constituents]).mean(0)
        return torch.log(probabilities.clamp_min(1e-30))

    def predict(self, images: np.ndarray, aggregation: str = "vote") -> np.ndarray:
        """Labels by majority vote of the constituents (ties to the lower label) or by averaged probabilities."""
        check_one_of(aggregation, AGGREGATIONS, "aggregation")
        probabilities = np.stack([predict_proba(m, images) for m in self.constituents])
        if aggregation == "average":
            return probabilities.mean(0).argmax(1)
        votes = probabilities.argmax(2)  # (n_shards, n)
        counts = np.stack([(votes == label).sum(0) for label in range(probabilities.shape[2])], axis=1)
        return counts.argmax(1)

    def accuracy(self, data: ImageDataset, aggregation: str = "vote") -> float:
        """Accuracy of the ensemble on ``data``."""
        check_dataset(data, "data")
        return float((self.predict(data.images, aggregation) == data.labels).mean())


def _train_stage(model: nn.Module, data: ImageDataset, ids: np.ndarray, n_samples: int, settings: dict,
                 seed: int) -> tuple[int, int]:
    """``n_samples`` SGD samples over ``ids`` (reshuffled at each pass) with the lab's loop; (samples, steps)."""
    if not len(ids) or not n_samples:
        return 0, 0
    rng = as_rng(seed)
    order = np.concatenate([rng.permutation(ids) for _ in range(math.ceil(n_samples / len(ids)))])[:n_samples]
    size = settings["batch_size"]
    batches = [(torch.from_numpy(data.images[order[i:i + size]]), torch.from_numpy(data.labels[order[i:i + size]]))
               for i in range(0, n_samples, size)]
    optimizer = torch.optim.SGD(model.parameters(), lr=settings["lr"], momentum=settings["momentum"])
    fit(model, batches, optimizer, 1)
    return n_samples, len(batches)


def train_sisa(data: ImageDataset, n_shards: int, n_slices: int = 1, *, model: str = "mlp", epochs: int = 30,
               batch_size: int = 64, lr: float = 0.1, momentum: float = 0.9, seed: int = 0) -> SISAModel:
    """Train a SISA ensemble on ``data`` (Bourtoule et al. 2021, Section IV); ``n_shards=n_slices=1`` is one model.

    Records are assigned to shards and slices at random (``sisa_assignment``, seeded by ``seed``).
    """
    check_dataset(data, "data")
    n_shards, n_slices = _check_layout(len(data), n_shards, n_slices)
    check_one_of(model, MODELS, "model")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_positive(lr, "lr")
    momentum = check_nonnegative(momentum, "momentum")
    if momentum >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    seed = check_positive_int(seed, "seed", minimum=0)
    if not isinstance(data.images, np.ndarray) or data.images.dtype != np.float32:
        raise ParameterTypeError(f"data.images must be float32 images, got {data.images.dtype}")
    assignment = sisa_assignment(len(data), n_shards, n_slices, rng=seed)
    return SISAModel(data, assignment, model=model, epochs=epochs, batch_size=batch_size, lr=lr,
                     momentum=momentum, seed=seed)
