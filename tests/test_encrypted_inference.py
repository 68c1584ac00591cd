"""Encrypted inference agrees with the plaintext logistic-regression score within stated precision."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ppml_lab import encrypted_inference as ei
from ppml_lab import paillier

# Stated precision: Paillier fixed point (2**-32 steps) within 1e-6 of the float score (and within
# the computed worst-case bound); CKKS (scale 2**40) within 1e-4.
PAILLIER_TOLERANCE = 1e-6
CKKS_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def data():
    return ei.load_breast_cancer_split(test_fraction=0.25, rng=0)


@pytest.fixture(scope="module")
def model(data):
    x_train, _, y_train, _, names = data
    return ei.train_logistic_regression(x_train, y_train, feature_names=names)


def test_split_is_seeded_and_complete(data):
    x_train, x_test, y_train, y_test, names = data
    assert len(x_train) + len(x_test) == 569 and x_train.shape[1] == len(names) == 30
    again = ei.load_breast_cancer_split(test_fraction=0.25, rng=0)
    assert np.array_equal(again[1], x_test)


def test_folded_model_equals_the_scikit_learn_pipeline(data, model):
    x_train, x_test, y_train, y_test, _ = data
    classifier = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)
    pipeline = make_pipeline(StandardScaler(), classifier).fit(x_train, y_train)
    np.testing.assert_allclose(ei.plaintext_scores(model, x_test), pipeline.decision_function(x_test),
                               rtol=1e-9, atol=1e-9)
    assert ((ei.plaintext_scores(model, x_test) > 0) == y_test).mean() > 0.9


def test_paillier_scores_agree_with_plaintext_within_the_stated_precision(data, model):
    _, x_test, _, _, _ = data
    public, private = paillier.generate_keypair(512, "toy", rng=1)
    rows = x_test[:6]
    encrypted = ei.paillier_scores(model, rows, public, private, rng=2)
    plain = ei.plaintext_scores(model, rows)
    bound = ei.fixed_point_error_bound(model, rows)
    assert np.all(bound < PAILLIER_TOLERANCE)
    assert np.all(np.abs(encrypted - plain) <= bound + 1e-12 * np.abs(plain))
    assert np.array_equal(encrypted > 0, plain > 0)


def test_a_2048_bit_encrypted_score(data, model):
    _, x_test, _, _, _ = data
    public, private = paillier.generate_keypair(2048)
    encrypted = ei.paillier_scores(model, x_test[:1], public, private)
    assert abs(encrypted[0] - ei.plaintext_scores(model, x_test[:1])[0]) < PAILLIER_TOLERANCE


def test_the_server_scores_ciphertexts_without_the_private_key(data, model):
    _, x_test, _, _, _ = data
    public, private = paillier.generate_keypair(512, "toy", rng=3)
    ciphertexts = ei.encrypt_features(public, x_test[0], rng=4)
    score = ei.score_encrypted(model, ciphertexts)  # only public material in scope
    assert isinstance(score, paillier.Ciphertext)
    expected = ei.plaintext_scores(model, x_test[0])
    assert paillier.decrypt(private, score) == pytest.approx(expected, abs=PAILLIER_TOLERANCE)
    with pytest.raises(ValueError, match="must hold 30 ciphertexts"):
        ei.score_encrypted(model, ciphertexts[:-1])


def test_refuses_features_of_the_wrong_shape(model):
    with pytest.raises(ValueError, match="must be finite with 30 columns"):
        ei.plaintext_scores(model, np.zeros((2, 29)))
    with pytest.raises(ValueError, match="features must be 2-D"):
        ei.train_logistic_regression(np.zeros(10), np.zeros(10))


def test_sigmoid_is_a_probability():
    assert ei.sigmoid([0.0])[0] == 0.5 and np.all(np.diff(ei.sigmoid([-5, 0, 5])) > 0)


def test_ckks_scores_agree_with_plaintext(data, model):
    pytest.importorskip("tenseal")
    _, x_test, _, _, _ = data
    rows = x_test[:4]
    np.testing.assert_allclose(ei.ckks_scores(model, rows), ei.plaintext_scores(model, rows), atol=CKKS_TOLERANCE)


def test_ckks_is_skipped_cleanly_without_tenseal(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "tenseal", None)  # makes `import tenseal` raise ImportError
    assert not ei.ckks_available()
    with pytest.raises(ImportError, match="optional extra"):
        ei.ckks_scores(model, np.zeros((1, 30)))


def test_the_returned_score_is_rerandomised(data, model):
    """Without re-randomisation the server's answer is a fixed function of the client's ciphertexts and
    the weights (the client could test weight guesses against it); with it, two answers to the same
    query differ while decrypting to the same score."""
    _, x_test, _, _, _ = data
    public, private = paillier.generate_keypair(256, "toy", rng=5)
    ciphertexts = ei.encrypt_features(public, x_test[0], rng=6)
    terms = [paillier.multiply_plain(c, float(w)) for c, w in zip(ciphertexts, model.weights)]
    deterministic = paillier.add_plain(sum(terms[1:], terms[0]), model.bias)
    first, second = ei.score_encrypted(model, ciphertexts, rng=7), ei.score_encrypted(model, ciphertexts, rng=8)
    assert len({deterministic.value, first.value, second.value}) == 3
    decrypted = [paillier.decrypt(private, c) for c in (first, second, deterministic)]
    assert decrypted[0] == decrypted[1] == decrypted[2]


def test_ckks_ciphertext_size_from_its_parameters():
    assert ei.ckks_ciphertext_bytes() == 2 * 8192 * 3 * 8 == 384 * 1024


def test_a_serialised_ckks_ciphertext_is_at_most_its_in_memory_size(model):
    ts = pytest.importorskip("tenseal")
    serialised = len(ts.ckks_vector(ei.ckks_context(), [1.0] * 30).serialize())
    assert 0.5 * ei.ckks_ciphertext_bytes() < serialised < ei.ckks_ciphertext_bytes()
