"""ppml_lab.unlearning: SISA's deletion is exact, costs are counted right, approximate methods leave the original."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ppml_lab import unlearning
from ppml_lab.attacks.membership import ShadowModels, TrainingRecipe
from ppml_lab.datasets import ImageDataset
from ppml_lab.models import build_model
from ppml_lab.unlearning.exact import remaining
from ppml_lab.unlearning.sisa import SISAModel

RNG = np.random.default_rng(0)
DATA = ImageDataset(RNG.random((60, 1, 28, 28), dtype=np.float32), np.arange(60) % 3)
SETTINGS = dict(model="logistic", epochs=3, batch_size=8, lr=0.1, momentum=0.9)


def _weights(model: torch.nn.Module) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_assignment_is_balanced_and_seeded():
    a = unlearning.sisa_assignment(60, 4, 3, rng=1)
    counts = np.bincount(a[:, 0] * 3 + a[:, 1])
    assert counts.min() == counts.max() == 5
    assert np.array_equal(a, unlearning.sisa_assignment(60, 4, 3, rng=1))


def test_deletion_equals_training_without_the_record():
    sisa = unlearning.train_sisa(DATA, 3, 4, seed=5, **SETTINGS)
    record = int(np.flatnonzero((sisa.assignment[:, 0] == 1) & (sisa.assignment[:, 1] == 2))[0])
    untouched = [_weights(sisa.constituents[s]) for s in (0, 2)]
    early = [v.clone() for v in sisa.checkpoints[1][1].values()]
    cost = sisa.delete([record])
    keep = np.ones(len(DATA), bool)
    keep[record] = False
    fresh = SISAModel(remaining(DATA, np.array([record])), sisa.assignment[keep], seed=5, **SETTINGS)
    for a, b in zip(_weights(sisa.constituents[1]), _weights(fresh.constituents[1])):
        np.testing.assert_array_equal(a, b)  # retrained from the checkpoint = never trained on the record
    for s, before in zip((0, 2), untouched):
        for a, b in zip(before, _weights(sisa.constituents[s])):
            np.testing.assert_array_equal(a, b)  # other shards untouched
    for a, b in zip(early, sisa.checkpoints[1][1].values()):
        assert torch.equal(a, b)  # the checkpoint before the record's slice is kept
    stage_sizes = [len(sisa._stage_ids(1, k)) for k in (2, 3)]
    assert cost.samples_processed == sum(round(sisa.epochs_per_stage * n) for n in stage_sizes)
    assert sisa.deleted[record] and record not in sisa._stage_ids(1, 3)


def test_locate_and_refusals_leave_state():
    sisa = unlearning.train_sisa(DATA, 2, 2, seed=0, **SETTINGS)
    assert sisa.locate(7) == tuple(sisa.assignment[7])
    sisa.delete([7])
    with pytest.raises(ValueError, match="record_id"):
        sisa.locate(7)
    with pytest.raises(ValueError, match="already deleted"):
        sisa.delete([7, 8])
    assert not sisa.deleted[8]


def test_expected_speedup_matches_the_stage_sum():
    for shards, slices in [(1, 1), (5, 4), (20, 8), (3, 2)]:
        cost = np.mean([sum(2 / (slices + 1) * (k + 1) / (shards * slices) for k in range(r, slices))
                        for r in range(slices)])
        assert unlearning.expected_speedup(shards, slices) == pytest.approx(1 / cost)
    assert unlearning.expected_speedup(7, 1) == pytest.approx(7)


def test_one_shard_one_slice_costs_a_full_training():
    sisa = unlearning.train_sisa(DATA, 1, 1, seed=0, **SETTINGS)
    assert sisa.samples_processed == 3 * len(DATA)
    stream = unlearning.measure_deletion_stream(sisa, 2, rng=0)
    assert stream.speedup_samples == pytest.approx(1.0, rel=0.05)
    assert stream.samples == (3 * 59, 3 * 58)


def test_aggregations_agree_with_one_constituent():
    sisa = unlearning.train_sisa(DATA, 1, 2, seed=0, **SETTINGS)
    assert np.array_equal(sisa.predict(DATA.images, "vote"), sisa.predict(DATA.images, "average"))
    logits = sisa(torch.from_numpy(DATA.images[:4]))
    np.testing.assert_allclose(torch.exp(logits).sum(1).detach().numpy(), 1, rtol=1e-5)


def test_exact_and_approximate_costs_and_copies():
    recipe = TrainingRecipe(model="logistic", epochs=2, batch_size=16)
    exact = unlearning.retrain_without(recipe, DATA, [0, 1, 2])
    assert (exact.samples_processed, exact.gradient_steps) == (2 * 57, 2 * 4)
    model = build_model("logistic", seed=0)
    before = _weights(model)
    tuned = unlearning.finetune_unlearn(model, DATA, epochs=1, batch_size=16)
    ascended = unlearning.gradient_ascent_unlearn(model, DATA, epochs=1, lr=0.1, batch_size=16)
    for a, b in zip(before, _weights(model)):
        np.testing.assert_array_equal(a, b)
    assert tuned.gradient_steps == ascended.gradient_steps == 4
    assert not np.allclose(_weights(ascended.model)[0], before[0])


def test_forget_set_attack_counts_forget_as_members():
    shadows = ShadowModels([build_model("logistic", seed=s) for s in range(3)], DATA,
                           np.random.default_rng(1).random((3, 60)) < 0.5)
    forget, never = ImageDataset(DATA.images[:10], DATA.labels[:10]), ImageDataset(DATA.images[10:], DATA.labels[10:])
    metrics = unlearning.forget_set_attack(build_model("logistic", seed=9), forget, never, shadows)
    assert (metrics.n_members, metrics.n_nonmembers) == (10, 50)
