"""Tests for ppml_lab.attacks.canary: the exposure formula, planting, and memorisation without DP."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ppml_lab import sweep
from ppml_lab.attacks import canary
from ppml_lab.datasets import ImageDataset


def test_exposure_is_log2_of_candidates_when_ranked_first_and_zero_when_last():
    references = np.arange(1.0, 1024.0)[None, :]  # 1,023 references
    assert canary.exposure(np.array([0.5]), references)[0] == pytest.approx(10.0)
    assert canary.exposure(np.array([2000.0]), references)[0] == pytest.approx(0.0)


def test_exposure_of_a_random_rank_averages_one_over_ln2():
    rng = np.random.default_rng(0)
    references = rng.random((4000, 255))
    values = canary.exposure(rng.random(4000), references)
    assert values.mean() == pytest.approx(canary.CHANCE_EXPOSURE, abs=0.05)  # s.e. ~0.02


def test_canaries_are_seeded_and_planted_once():
    a, b = canary.make_canaries(5, seed=3), canary.make_canaries(5, seed=3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)
    base = ImageDataset(np.zeros((7, 1, 28, 28), np.float32), np.zeros(7, np.int64))
    planted = canary.plant(base, a)
    assert len(planted) == 12 and np.array_equal(planted.images[7:], a.images)


def test_non_private_model_memorises_canaries_and_dp_does_not(tmp_path, monkeypatch):
    """The lesson's claim at small scale: exposure far above chance without DP, near chance at epsilon = 1."""
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path))
    config = sweep.SweepConfig(epochs=10, batch_size=256, lr=2.0, accountant="rdp")
    table = canary.run_canary_experiment([None, 1.0], seeds=[0], n_canaries=8, n_references=255, config=config)
    mean = table.groupby(table["epsilon"].fillna(math.inf))["exposure"].mean()
    assert mean[math.inf] > 4.0          # memorised: most canaries rank near the top of 256 candidates
    assert mean[1.0] < 3.0               # chance is 1.44 bits; DP at epsilon = 1 keeps it near there
