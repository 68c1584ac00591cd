"""Tests of ppml_lab.attacks.secret_sharer: planting, perplexity, exposure on a tiny corpus."""

from __future__ import annotations

import numpy as np

from ppml_lab.attacks import secret_sharer as ss

NOTES = [f"Note {i}: patient seen, follow up in {i % 7 + 1} weeks." for i in range(40)]


def test_plant_appends_the_canary_to_the_chosen_number_of_texts():
    planted = ss.plant_text_canary(NOTES, "SSN 281-63-9475.", 3, rng=0)
    assert sum("281-63-9475" in t for t in planted) == 3 and len(planted) == len(NOTES)


def test_random_secrets_have_the_ssn_shape():
    secrets = ss.random_secrets(5, rng=0)
    assert all(len(s) == 11 and s[3] == s[6] == "-" for s in secrets) and secrets == ss.random_secrets(5, rng=0)


def test_log_perplexity_is_positive_bits_per_candidate():
    model, vocab = ss.train_char_model(NOTES[:5], epochs=1, seed=0)
    bits = ss.log_perplexity(model, vocab, "Note ", ["123-45-6789", "987-65-4321"])
    assert bits.shape == (2,) and np.all(bits > 0)


def test_a_repeated_canary_is_exposed_and_absent_one_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("PPML_LAB_CACHE", str(tmp_path))
    planted = ss.plant_text_canary(NOTES, "Note 281-63-9475.", 8, rng=0)
    exposed = ss.text_canary_exposure(planted, "Note ", "281-63-9475", n_references=99, epochs=3, seed=0)
    absent = ss.text_canary_exposure(NOTES, "Note ", "281-63-9475", n_references=99, epochs=3, seed=0)
    assert exposed.rank == 1 < absent.rank and exposed.exposure > absent.exposure and exposed.candidates == 100
