"""Encrypted inference: a model trained in the clear scores an input its server cannot read.

Taught in ``notebooks/07_homomorphic_encryption.ipynb``. A client (a clinic) encrypts its
features under its own key; the server (a model owner) computes the logistic-regression score
w.x + b on the ciphertexts and returns it still encrypted; only the client decrypts it and
applies the sigmoid. Paillier does the linear score exactly in fixed point (plaintext weights
times encrypted features); CKKS (Cheon et al., ASIACRYPT 2017) through TenSEAL does it
approximately on a whole vector at once. TenSEAL is optional: it is imported on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import paillier
from .seeding import as_rng
from .validation import (
    ParameterTypeError,
    check_array,
    check_finite,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = [
    "LinearModel", "load_breast_cancer_split", "train_logistic_regression", "plaintext_scores", "sigmoid",
    "encrypt_features", "score_encrypted", "paillier_scores", "fixed_point_error_bound",
    "ckks_available", "ckks_context", "ckks_scores", "ckks_ciphertext_bytes",
]


@dataclass(frozen=True)
class LinearModel:
    """Score = features @ weights + bias, on raw (unscaled) features; P(class 1) = sigmoid(score)."""

    weights: np.ndarray
    bias: float
    feature_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", check_array(self.weights, "weights", ndim=1))
        object.__setattr__(self, "bias", check_finite(self.bias, "bias"))
        names = self.feature_names
        if isinstance(names, str) or not isinstance(names, (tuple, list)) or \
                not all(isinstance(name, str) for name in names):
            raise ParameterTypeError(f"feature_names must be a tuple of strings, got {names!r}")
        if names and len(names) != len(self.weights):
            raise ValueError(f"feature_names must name all {len(self.weights)} weights (or none), got {len(names)}")
        object.__setattr__(self, "feature_names", tuple(names))


def _check_model(model: LinearModel) -> None:
    if not isinstance(model, LinearModel):
        raise ParameterTypeError(f"model must be a LinearModel, got {type(model).__name__}")


def _check_features(features: ArrayLike, model: LinearModel, name: str = "features") -> np.ndarray:
    _check_model(model)
    features = check_array(features, name)
    if features.ndim not in (1, 2) or features.shape[-1] != len(model.weights):
        raise ValueError(f"{name} must be finite with {len(model.weights)} columns, got shape {features.shape}")
    return features


def load_breast_cancer_split(test_fraction: float = 0.25, rng: np.random.Generator | int | None = 0
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """scikit-learn's bundled Wisconsin breast-cancer data (569 x 30, no download), split at random:
    (train features, test features, train labels, test labels, feature names); label 1 = benign."""
    from sklearn.datasets import load_breast_cancer

    test_fraction = check_probability(test_fraction, "test_fraction", open_low=True, open_high=True)
    data = load_breast_cancer()
    order = as_rng(rng).permutation(len(data.target))
    n_test = int(round(test_fraction * len(order)))
    test, train = order[:n_test], order[n_test:]
    return (data.data[train], data.data[test], data.target[train], data.target[test],
            tuple(str(name) for name in data.feature_names))


def train_logistic_regression(features: ArrayLike, labels: ArrayLike, C: float = 1.0,
                              feature_names: tuple[str, ...] = ()) -> LinearModel:
    """Standardise, fit scikit-learn's L2 logistic regression in the clear, and fold the scaling
    into the weights, so the client encrypts raw features and the server needs one dot product."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    C = check_positive(C, "C")
    features, labels = check_array(features, "features"), check_array(labels, "labels")
    if features.ndim != 2 or len(features) != len(labels) or len(np.unique(labels)) != 2:
        raise ValueError(f"features must be 2-D with one label per row and labels binary, got shapes "
                         f"{features.shape} and {labels.shape} with classes {np.unique(labels).tolist()}")
    scaler = StandardScaler().fit(features)
    # run to convergence (tol 1e-10): the optimum is unique, so the weights agree on every machine
    classifier = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(scaler.transform(features), labels)
    weights = classifier.coef_[0] / scaler.scale_
    bias = float(classifier.intercept_[0] - weights @ scaler.mean_)
    return LinearModel(weights, bias, tuple(feature_names))


def plaintext_scores(model: LinearModel, features: ArrayLike) -> np.ndarray:
    """The score w.x + b computed in the clear (the reference the encrypted scores must match)."""
    return _check_features(features, model) @ model.weights + model.bias


def sigmoid(scores: ArrayLike) -> np.ndarray:
    """P(class 1) = 1 / (1 + exp(-score)); the client applies it after decrypting."""
    scores = check_array(scores, "scores", finite=False, nonempty=False)
    if np.isnan(scores).any():
        raise ValueError("scores must not contain NaN")
    return 1.0 / (1.0 + np.exp(-scores))


# ----------------------------------------------------------------------------- Paillier

def encrypt_features(public_key: paillier.PublicKey, features: ArrayLike,
                     rng: np.random.Generator | int | None = None) -> list[paillier.Ciphertext]:
    """Client side: encrypt one row of features, each as a fixed-point Paillier ciphertext."""
    if not isinstance(public_key, paillier.PublicKey):
        raise ParameterTypeError(f"public_key must be a paillier.PublicKey, got {type(public_key).__name__}")
    row = check_array(features, "features", ndim=1)
    generator = None if rng is None else as_rng(rng)
    return [paillier.encrypt(public_key, float(value), rng=generator) for value in row]


def score_encrypted(model: LinearModel, encrypted_features: list[paillier.Ciphertext],
                    rng: np.random.Generator | int | None = None) -> paillier.Ciphertext:
    """Server side: Enc(w.x + b) = prod_j Enc(x_j)**w_j * g**b, never seeing x (Paillier's two laws),
    re-randomised before it is returned.

    Without :func:`paillier.rerandomize` the returned ciphertext is a fixed function of the client's
    ciphertexts and the weights: its random part is prod_j r_j**(n w_j), with the client's own r_j,
    so the client could test guesses of the weights against it, learning more than the score.
    Multiplying by a fresh encryption of 0 leaves only the score (circuit privacy). ``rng``: the
    server's randomness, toy keys only; by default it comes from the OS.
    """
    _check_model(model)
    if isinstance(encrypted_features, (str, bytes)) or not hasattr(encrypted_features, "__len__"):
        raise ParameterTypeError(f"encrypted_features must be a list of Ciphertexts, "
                                 f"got {type(encrypted_features).__name__}")
    if len(encrypted_features) != len(model.weights):
        raise ValueError(f"encrypted_features must hold {len(model.weights)} ciphertexts, "
                         f"got {len(encrypted_features)}")
    keys = {getattr(getattr(c, "public_key", None), "n", None) for c in encrypted_features}
    if not all(isinstance(c, paillier.Ciphertext) for c in encrypted_features) or len(keys) != 1:
        raise ValueError("encrypted_features must all be Ciphertexts under one public key")
    terms = [paillier.multiply_plain(c, float(w)) for c, w in zip(encrypted_features, model.weights)]
    score = paillier.add_plain(sum(terms[1:], terms[0]), model.bias)
    return paillier.rerandomize(score, rng=rng)


def paillier_scores(model: LinearModel, features: ArrayLike, public_key: paillier.PublicKey,
                    private_key: paillier.PrivateKey, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """The whole round trip for each row: client encrypts, server scores, client decrypts."""
    rows = np.atleast_2d(_check_features(features, model))
    if not isinstance(public_key, paillier.PublicKey):
        raise ParameterTypeError(f"public_key must be a paillier.PublicKey, got {type(public_key).__name__}")
    if not isinstance(private_key, paillier.PrivateKey) or private_key.public_key.n != public_key.n:
        raise ValueError("private_key must be the paillier.PrivateKey of public_key")
    generator = None if rng is None else as_rng(rng)
    return np.array([paillier.decrypt(private_key, score_encrypted(model, encrypt_features(public_key, row, generator),
                                                                   generator))
                     for row in rows])


def fixed_point_error_bound(model: LinearModel, features: ArrayLike,
                            fractional_bits: int = paillier.DEFAULT_FRACTIONAL_BITS) -> np.ndarray:
    """Worst-case |Paillier score - exact score| per row from rounding x and w to 2**-f:
    sum_j (|w_j| + |x_j|) * 2**-(f+1) + d * 2**-(2f+2) + 2**-(2f+1) (bias), before float64 rounding."""
    rows = np.atleast_2d(_check_features(features, model))
    f = check_positive_int(fractional_bits, "fractional_bits")
    half_step = 2.0 ** -(f + 1)
    return ((np.abs(model.weights).sum() + np.abs(rows).sum(axis=1)) * half_step
            + rows.shape[1] * half_step**2 + 2.0 * half_step**2)


# ----------------------------------------------------------------------------- CKKS (TenSEAL, optional)

def ckks_available() -> bool:
    """Whether TenSEAL (the optional ``he`` extra) can be imported."""
    try:
        import tenseal  # noqa: F401
    except ImportError:
        return False
    return True


def _tenseal() -> Any:
    try:
        import tenseal
    except ImportError as error:
        raise ImportError("CKKS needs TenSEAL, an optional extra: pip install 'ppml_lab[he]' "
                          "(or check ckks_available() first)") from error
    return tenseal


def ckks_context(poly_modulus_degree: int = 8192, scale_bits: int = 40) -> Any:
    """A CKKS context: ring degree 8192 with moduli of 60+40+40+60 bits (~128-bit security, SEAL's
    table), scale 2**40, and the rotation keys a dot product needs. Holds the secret key."""
    poly_modulus_degree = check_positive_int(poly_modulus_degree, "poly_modulus_degree", minimum=4096)
    if poly_modulus_degree & (poly_modulus_degree - 1):
        raise ValueError(f"poly_modulus_degree must be a power of 2 >= 4096, got {poly_modulus_degree}")
    scale_bits = check_positive_int(scale_bits, "scale_bits", minimum=20)
    if scale_bits > 50:
        raise ValueError(f"scale_bits must be in [20, 50] for 60-bit outer moduli, got {scale_bits}")
    ts = _tenseal()
    context = ts.context(ts.SCHEME_TYPE.CKKS, poly_modulus_degree=poly_modulus_degree,
                         coeff_mod_bit_sizes=[60, scale_bits, scale_bits, 60])
    context.global_scale = 2.0**scale_bits
    context.generate_galois_keys()
    return context


def ckks_scores(model: LinearModel, features: ArrayLike, context: Any = None) -> np.ndarray:
    """Each row encrypted as one CKKS vector, scored by an encrypted dot product plus bias, decrypted.
    Approximate: CKKS adds noise of roughly 1e-6 here (the test allows 1e-4)."""
    rows = np.atleast_2d(_check_features(features, model))
    ts = _tenseal()
    if context is not None and not isinstance(context, ts.Context):
        raise ParameterTypeError("context must be a TenSEAL Context (from ckks_context()), "
                                 f"got {type(context).__name__}")
    context = context if context is not None else ckks_context()
    weights = [float(w) for w in model.weights]
    scores = []
    for row in rows:
        encrypted = ts.ckks_vector(context, [float(v) for v in row])
        scores.append((encrypted.dot(weights) + model.bias).decrypt()[0])
    return np.array(scores)


def ckks_ciphertext_bytes(poly_modulus_degree: int = 8192, n_primes: int = 4) -> int:
    """Bytes of a fresh CKKS ciphertext in memory: 2 polynomials of ``poly_modulus_degree`` coefficients,
    each stored once per data-level prime (all ``n_primes`` of the modulus chain but the special last
    one) as a 64-bit word. For :func:`ckks_context`'s 8192 and 60+40+40+60 bits: 2 * 8192 * 3 * 8 bytes.
    It holds up to poly_modulus_degree / 2 values. (SEAL compresses a serialised ciphertext somewhat.)"""
    poly_modulus_degree = check_positive_int(poly_modulus_degree, "poly_modulus_degree", minimum=1024)
    if poly_modulus_degree & (poly_modulus_degree - 1):
        raise ValueError(f"poly_modulus_degree must be a power of 2 >= 1024, got {poly_modulus_degree}")
    n_primes = check_positive_int(n_primes, "n_primes", minimum=2)
    return 2 * poly_modulus_degree * (n_primes - 1) * 8
