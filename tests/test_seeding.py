import random

import numpy as np
import pytest
import torch

from ppml_lab import as_rng, seed_everything


def test_one_call_seeds_python_numpy_and_torch():
    rng = seed_everything(123)
    first = (random.random(), np.random.rand(), torch.rand(1).item(), rng.random())
    rng = seed_everything(123)
    assert (random.random(), np.random.rand(), torch.rand(1).item(), rng.random()) == first


def test_bad_seed_and_rng():
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got -1"):
        seed_everything(-1)
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        as_rng("seed")
    generator = np.random.default_rng(0)
    assert as_rng(generator) is generator


def test_torch_threads_fixed_for_bitwise_reproducibility():
    before = torch.get_num_threads()
    try:
        seed_everything(0)
        assert torch.get_num_threads() == 1
        seed_everything(0, torch_threads=None)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_tab_completion_lists_the_lazy_submodules():
    import ppml_lab

    names = dir(ppml_lab)
    assert {"dpsgd", "pate", "secure_aggregation", "seed_everything", "PrivacyLedger"} <= set(names)
