"""Federated averaging whose server only ever holds secure sums (Bonawitz et al. 2017 under McMahan et al. 2017).

Taught in ``notebooks/06_secure_aggregation.ipynb`` (section 7). FedAvg needs the size-weighted mean
sum_k n_k Delta_k / sum_k n_k; both sums go through :func:`ppml_lab.secure_aggregation.secure_aggregate`:
each client sends ``[n_k / scale * Delta_k, n_k / scale]``, where ``scale`` is a public bound on n_k that
keeps every coordinate inside the encodable range. The model is linear regression trained by a few
full-batch gradient steps per round, small enough to compare exactly with plain FedAvg.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from . import secure_aggregation as sa
from .seeding import crypto_rng
from .validation import ParameterTypeError, check_array, check_positive, check_positive_int

__all__ = ["linear_local_update", "secure_fedavg"]


def linear_local_update(weights: ArrayLike, features: ArrayLike, targets: ArrayLike, steps: int = 5,
                        lr: float = 0.05, clip: float = 1.0) -> np.ndarray:
    """A client's FedAvg update for linear regression: ``steps`` gradient steps on its mean squared error,
    returned as the change in weights, each coordinate clipped to [-clip, clip] (the encodable range)."""
    weights = check_array(weights, "weights", ndim=1)
    features = check_array(features, "features", ndim=2)
    targets = check_array(targets, "targets", ndim=1)
    if features.shape != (len(targets), len(weights)):
        raise ValueError(f"features must have shape (len(targets), len(weights)) = ({len(targets)}, {len(weights)}), "
                         f"got {features.shape}")
    steps = check_positive_int(steps, "steps")
    lr, clip = check_positive(lr, "lr"), check_positive(clip, "clip")
    local = weights.copy()
    for _ in range(steps):
        local -= lr * features.T @ (features @ local - targets) / len(targets)
    return np.clip(local - weights, -clip, clip)


def secure_fedavg(client_data: Sequence[tuple[ArrayLike, ArrayLike]], rounds: int, scale: float, *,
                  true_weights: ArrayLike | None = None, encoding: sa.FixedPointEncoding | None = None,
                  steps: int = 5, lr: float = 0.05,
                  rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Run plain FedAvg and FedAvg on secure sums side by side from zero weights; one row per round.

    Columns: ``round``, ``distance to true weights`` (when ``true_weights`` is given; Euclidean, of the
    secure run) and ``|secure - plain|`` (largest coordinate gap, of the order of the encoding precision).
    ``scale`` must bound every client's example count (n_k / scale <= 1).
    """
    if isinstance(client_data, (str, bytes)) or not isinstance(client_data, Sequence) or not client_data:
        raise ParameterTypeError("client_data must be a non-empty sequence of (features, targets) pairs, got "
                                 f"{type(client_data).__name__}")
    data = [(check_array(X, "client_data features", ndim=2), check_array(y, "client_data targets", ndim=1))
            for X, y in client_data]
    n_clients = check_positive_int(len(data), "number of clients (len(client_data))", minimum=2)
    dimension = data[0][0].shape[1]
    if any(X.shape != (len(y), dimension) for X, y in data):
        raise ValueError(f"client_data features must be (n_k, {dimension}) arrays matching their targets")
    rounds = check_positive_int(rounds, "rounds")
    scale = check_positive(scale, "scale")
    sizes = np.array([len(y) for _, y in data], dtype=float)
    if sizes.max() > scale:
        raise ValueError(f"scale must bound every client's example count, got scale={scale:g} < {sizes.max():g}")
    truth = None if true_weights is None else check_array(true_weights, "true_weights", ndim=1)
    if truth is not None and truth.shape != (dimension,):
        raise ValueError(f"true_weights must have shape ({dimension},), got {truth.shape}")
    encoding = sa._check_encoding(sa.FixedPointEncoding() if encoding is None else encoding)
    encoding.check_capacity(n_clients)
    generator = crypto_rng(rng)
    plain, secure = np.zeros(dimension), np.zeros(dimension)
    history = []
    for round_number in range(1, rounds + 1):
        deltas = [linear_local_update(plain, X, y, steps, lr, encoding.value_range) for X, y in data]
        plain = plain + np.average(deltas, axis=0, weights=sizes)
        messages = [np.append(len(y) / scale * linear_local_update(secure, X, y, steps, lr, encoding.value_range),
                              len(y) / scale) for X, y in data]
        summed = sa.secure_aggregate(messages, encoding=encoding, rng=generator).total
        secure = secure + summed[:-1] / summed[-1]
        row = {"round": round_number}
        if truth is not None:
            row["distance to true weights"] = float(np.linalg.norm(secure - truth))
        row["|secure - plain|"] = float(np.abs(secure - plain).max())
        history.append(row)
    return pd.DataFrame(history).set_index("round")
