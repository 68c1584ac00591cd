"""Checks for the exercises of ``notebooks/10_machine_unlearning.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..validation import ParameterTypeError
from . import Feedback, call_for_number, call_safely, check_close, correct, not_yet

__all__ = ["check_retrained_stages", "check_expected_speedup"]


def _check_function(function: Callable, name: str) -> None:
    if not callable(function):
        raise ParameterTypeError(f"{name} must be your function (a callable), got {type(function).__name__}")


def _layout(rng: np.random.Generator) -> list[list[list[int]]]:
    """A random SISA layout: shards, each a list of slices, each a list of record ids."""
    n_shards, n_slices = int(rng.integers(2, 5)), int(rng.integers(3, 6))
    order = rng.permutation(n_shards * n_slices * 3).tolist()
    return [[order[(s * n_slices + r) * 3:(s * n_slices + r + 1) * 3] for r in range(n_slices)]
            for s in range(n_shards)]


def check_retrained_stages(retrained: Callable[[int, list], tuple]) -> Feedback:
    """Exercise 1: ``retrained(record_id, shards) -> (shard, stages)`` for a SISA deletion (0-based indices)."""
    _check_function(retrained, "retrained")
    rng = np.random.default_rng(1017)
    for _ in range(6):
        shards = _layout(rng)
        shard = int(rng.integers(len(shards)))
        slice_ = int(rng.integers(1, len(shards[shard]) - 1))  # never the first or last: mistakes stay visible
        record = shards[shard][slice_][int(rng.integers(3))]
        n_slices = len(shards[shard])
        answer, problem = call_safely(retrained, record, [[list(s) for s in shard_] for shard_ in shards])
        if problem is not None:
            return problem
        try:
            got_shard, stages = answer
            got_shard, stages = int(got_shard), [int(stage) for stage in stages]
        except (TypeError, ValueError):
            return not_yet(f"return a pair (shard, stages), e.g. (1, [2, 3]); got {answer!r}.")
        expected = list(range(slice_, n_slices))
        if got_shard == shard + 1 or stages == [stage + 1 for stage in expected]:
            return not_yet("count from 0, as Python does: the first shard and the first slice are number 0.")
        if got_shard != shard:
            return not_yet("the shard is wrong: look for the shard whose slices contain the record.")
        if stages == [slice_]:
            return not_yet("retraining only the record's slice is not enough: the stages after it trained on that "
                           "slice too (stage k sees slices 0..k), so every later stage retrains.")
        if stages == list(range(n_slices)):
            return not_yet("you retrain the whole shard: the checkpoint saved before the record's slice never saw "
                           "it, so the stages before that slice can be kept.")
        if sorted(stages) != expected:
            return not_yet(f"for record {record} (in slice {slice_} of {n_slices}) your stages are {stages}: "
                           "which checkpoint is the last one that never saw the record?")
    return correct("a deletion retrains one shard, from the checkpoint before the record's slice to the last stage.")


def check_expected_speedup(expected_speedup: Callable[[int, int], float]) -> Feedback:
    """Exercise 2: the expected speed-up of one random deletion, ``expected_speedup(n_shards, n_slices)``."""
    _check_function(expected_speedup, "expected_speedup")
    rng = np.random.default_rng(1018)
    for _ in range(6):
        n_shards, n_slices = int(rng.integers(2, 30)), int(rng.integers(2, 12))
        value, problem = call_for_number(expected_speedup, n_shards, n_slices, name="expected_speedup",
                                         what="the speed-up (a number)")
        if problem is not None:
            return problem
        if check_close(value, 3 * n_shards * n_slices / (2 * n_slices + 1), rel_tol=1e-6):
            continue
        if check_close(value, n_shards):
            return not_yet(f"{value:g} for S = {n_shards}, R = {n_slices} is the speed-up of sharding alone: slicing "
                           "saves the stages before the record's slice too.")
        if check_close(value, n_shards * n_slices):
            return not_yet("S x R assumes a deletion retrains one slice's worth of data once; it retrains every "
                           "stage from its slice on, and later stages train on more slices.")
        if check_close(value, 2 * n_shards * n_slices / (n_slices + 1)):
            return not_yet("you counted stages as equally expensive: stage k trains on k + 1 slices.")
        return not_yet(f"for S = {n_shards}, R = {n_slices} you give {value:g}. Average the retrained samples over "
                       "the slice the record falls in (each equally likely), then divide E x n by it.")
    return correct("3SR/(2R+1): S from sharding, up to 1.5 more from slicing.")
