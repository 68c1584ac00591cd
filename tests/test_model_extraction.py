"""Model extraction (Tramer et al. 2016): d + 1 queries recover a linear model through encrypted inference."""

from __future__ import annotations

import numpy as np
import pytest

from ppml_lab import encrypted_inference as ei
from ppml_lab import paillier
from ppml_lab.attacks import model_extraction as mx


@pytest.fixture(scope="module")
def model():
    x_train, _, y_train, _, names = ei.load_breast_cancer_split(test_fraction=0.25, rng=0)
    return ei.train_logistic_regression(x_train, y_train, feature_names=names)


def test_31_encrypted_queries_recover_the_30_feature_model(model):
    """Through the real protocol (client encrypts, server scores, client decrypts): the stolen weights
    are the server's fixed-point weights, within 2**-33 of its float weights (plus float64 rounding)."""
    public, private = paillier.generate_keypair(256, "toy", rng=1)
    stolen = mx.extract_linear_model(lambda x: ei.paillier_scores(model, x, public, private, rng=2), 30)
    assert stolen.n_queries == 31 == len(model.weights) + 1
    tolerance = 2.0**-33 + 1e-14
    assert np.max(np.abs(stolen.weights - model.weights)) <= tolerance
    assert abs(stolen.bias - model.bias) <= tolerance


def test_random_queries_are_solved_as_a_linear_system():
    rng = np.random.default_rng(3)
    weights, bias = rng.normal(size=5), 0.7
    queries = rng.normal(size=(6, 5))
    stolen = mx.extract_linear_model(lambda x: x @ weights + bias, 5, queries=queries)
    np.testing.assert_allclose(stolen.weights, weights, atol=1e-12)
    assert stolen.bias == pytest.approx(bias, abs=1e-12)


def test_default_queries_are_the_origin_and_the_unit_vectors():
    queries = mx.extraction_queries(3)
    assert np.array_equal(queries, [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_refusals():
    with pytest.raises(ValueError, match="queries must be affinely independent"):
        mx.extract_linear_model(lambda x: x.sum(axis=1), 2, queries=[[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match=r"queries must be 3 inputs of 2 features"):
        mx.extract_linear_model(lambda x: x.sum(axis=1), 2, queries=[[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="query must return 3 finite scores"):
        mx.extract_linear_model(lambda x: [1.0], 2)
    with pytest.raises(TypeError, match="query must be a callable"):
        mx.extract_linear_model(None, 2)
