"""Model extraction: d + 1 chosen queries steal a linear model that answers with its score.

Taught in ``notebooks/07_homomorphic_encryption.ipynb``: encrypted inference hides the client's
input from the server, but the client still learns the score w.x + b of every query, and a
score is a linear equation in the d + 1 unknowns (w, b). d + 1 queries in general position give
d + 1 independent equations, solved exactly: the "equation-solving attack" of Tramer et al.,
"Stealing Machine Learning Models via Prediction APIs" (USENIX Security 2016, section 4.1), which
also covers logistic regression answering a probability (apply the logit first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..validation import ParameterTypeError, check_array, check_positive_int

__all__ = ["ExtractedLinearModel", "extraction_queries", "extract_linear_model"]


@dataclass(frozen=True)
class ExtractedLinearModel:
    """The stolen weights and bias, and the number of queries they cost."""

    weights: np.ndarray
    bias: float
    n_queries: int


def extraction_queries(n_features: int) -> np.ndarray:
    """The d + 1 simplest queries: the origin (its score is b) then each unit vector e_j (score w_j + b)."""
    n_features = check_positive_int(n_features, "n_features")
    return np.vstack([np.zeros(n_features), np.eye(n_features)])


def extract_linear_model(query: Callable[[np.ndarray], ArrayLike], n_features: int,
                         queries: ArrayLike | None = None) -> ExtractedLinearModel:
    """Recover (w, b) of a model that returns score = x @ w + b, from d + 1 queries (Tramer et al. 2016).

    ``query`` takes a (k, d) array of inputs and returns their k scores (for encrypted inference:
    encrypt, let the server score, decrypt). ``queries`` are the d + 1 inputs to send, affinely
    independent (default :func:`extraction_queries`); the scores are then solved for w and b.
    With the default queries the solution needs no linear algebra: b = score(0), w_j = score(e_j) - b.
    """
    if not callable(query):
        raise ParameterTypeError(f"query must be a callable returning scores, got {type(query).__name__}")
    n_features = check_positive_int(n_features, "n_features")
    if queries is None:
        inputs, basis = extraction_queries(n_features), True
    else:
        inputs, basis = check_array(queries, "queries", ndim=2), False
        if inputs.shape != (n_features + 1, n_features):
            raise ValueError(f"queries must be {n_features + 1} inputs of {n_features} features "
                             f"(shape ({n_features + 1}, {n_features})), got shape {inputs.shape}")
        design = np.hstack([inputs, np.ones((n_features + 1, 1))])
        if np.linalg.matrix_rank(design) < n_features + 1:
            raise ValueError("queries must be affinely independent (no query an affine combination of the others)")
    scores = np.asarray(query(inputs), dtype=float).reshape(-1)
    if scores.shape != (n_features + 1,) or not np.all(np.isfinite(scores)):
        raise ValueError(f"query must return {n_features + 1} finite scores, got shape {scores.shape}")
    if basis:
        bias = float(scores[0])
        weights = scores[1:] - bias
    else:
        solution = np.linalg.solve(np.hstack([inputs, np.ones((n_features + 1, 1))]), scores)
        weights, bias = solution[:-1], float(solution[-1])
    return ExtractedLinearModel(weights, bias, n_features + 1)
