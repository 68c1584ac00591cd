import numpy as np
import pytest
import torch

from ppml_lab import datasets, models, training


@pytest.fixture(scope="module")
def small_split():
    data = datasets.load_mnist5k()
    train, test = datasets.train_test_split(data, 0.2, rng=0)
    return datasets.ImageDataset(train.images[:1000], train.labels[:1000]), test


def test_training_learns_and_is_reproducible(small_split):
    train, test = small_split
    first = models.build_model("logistic", seed=1)
    history = training.train_classifier(first, train, epochs=3, lr=0.1, seed=2)
    assert history.losses[-1] < history.losses[0]
    assert training.evaluate(first, test) > 0.75  # chance is 0.10
    second = models.build_model("logistic", seed=1)
    training.train_classifier(second, train, epochs=3, lr=0.1, seed=2)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)


def test_predict_proba_rows_sum_to_one(small_split):
    _, test = small_split
    probabilities = training.predict_proba(models.build_model("mlp"), test.images[:10])
    assert probabilities.shape == (10, 10)
    assert np.allclose(probabilities.sum(1), 1.0, atol=1e-5)


def test_models_and_bad_input(small_split):
    train, _ = small_split
    for name in models.MODELS:
        assert models.build_model(name)(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="name must be one of"):
        models.build_model("resnet")
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        training.train_classifier(models.build_model("mlp"), train, epochs=0)
    empty = datasets.ImageDataset(train.images[:0], train.labels[:0])
    with pytest.raises(ValueError, match="train must be non-empty"):
        training.train_classifier(models.build_model("mlp"), empty)
