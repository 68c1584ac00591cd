"""One result convention: DP-SGD, federated and PATE runs share their first fields and are frozen."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from torch import nn

from ppml_lab.dpsgd import DPSGDResult
from ppml_lab.federated import FederatedResult
from ppml_lab.pate import PATEResult

COMMON = ["model", "accuracy", "epsilon", "delta", "train_seconds"]


@pytest.mark.parametrize("result", [DPSGDResult, FederatedResult, PATEResult], ids=lambda c: c.__name__)
def test_results_share_their_first_fields_and_are_frozen(result):
    names = [field.name for field in dataclasses.fields(result)]
    assert names[:len(COMMON)] == COMMON
    assert result.__dataclass_params__.frozen


def test_a_result_cannot_be_changed():
    result = DPSGDResult(None, 0.5, 1.0, 1e-5, 2.0, 1.1, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.epsilon = 0.1


def test_a_federated_result_from_a_history_refuses_nonsense():
    history = pd.DataFrame({"round": [0, 1], "accuracy": [0.1, 0.8]})
    result = FederatedResult.from_history(nn.Linear(2, 2), history, 1.5)
    assert (result.accuracy, result.epsilon, result.delta) == (0.8, None, None)
    with pytest.raises(TypeError, match="history"):
        FederatedResult.from_history(nn.Linear(2, 2), history.iloc[:0], 1.5)
    with pytest.raises(ValueError, match="train_seconds"):
        FederatedResult.from_history(nn.Linear(2, 2), history, -1.0)
    with pytest.raises(TypeError, match="model"):
        FederatedResult.from_history("mlp", history, 1.0)
