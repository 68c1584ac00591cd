"""Flower's SecAgg+ beside the lab's secure aggregation: the same updates, the same dropouts, the same sum.

Taught in ``notebooks/06_secure_aggregation.ipynb`` ("Flower's SecAgg+ beside the lab's"); run by
``scripts/flower_deployment.py secaggplus`` and ``make test-scale``. Flower's SecAgg+ (``secaggplus_mod``
on the clients, ``SecAggPlusWorkflow`` on the server; Bell et al. 2020, "Secure Single-Server Aggregation
with (Poly)Logarithmic Overhead", CCS) runs on the Deployment Engine (:mod:`.launcher`, one process per
party, :mod:`.secaggplus_app`), and :func:`ppml_lab.secure_aggregation.secure_aggregate` (Bonawitz et al.
2017) in-process, on the rows of :func:`client_updates`, with the same clients dropping before masking
and after it, and the same ``threshold`` of ``n_clients`` (Flower with ``num_shares = n_clients``: every
client shares with every other, so SecAgg+ is SecAgg here).

Quantisation, both with step ``2**-16`` for values in [-1, 1] in a ring of 2**32: the lab rounds each
value to the nearest multiple of ``precision`` (error <= precision / 2 per client), Flower rounds
stochastically on a grid of ``2 * clipping_range / quantization_range`` (error < one step per client).
So for the n' included clients the sums are within ``n' * precision / 2`` and ``n' * step`` of the exact
sum of the floats, and within the sum of those bounds of each other.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..secure_aggregation import FixedPointEncoding, secure_aggregate
from ..secure_aggregation.parties import _check_protocol_size
from ..secure_aggregation.protocol import _check_dropouts
from ..validation import check_positive, check_positive_int
from .launcher import run_app, write_app

__all__ = ["client_updates", "SecAggComparison", "compare_secure_aggregation", "FLOWER_QUANTIZATION"]

#: Flower's SecAggPlusWorkflow settings used here: values clipped to [-1, 1], 2**17 levels (a step of 2**-16,
#: the lab's default precision), masks mod 2**32 (the lab's default ring).
FLOWER_QUANTIZATION = {"clipping-range": 1.0, "quantization-range": 2**17, "modulus-range": 2**32}


def client_updates(n_clients: int, size: int, seed: int = 0) -> np.ndarray:
    """The clients' updates, one row each, uniform on [-1, 1] from ``seed`` (each SuperNode computes its row)."""
    n_clients = check_positive_int(n_clients, "n_clients", minimum=2)
    size = check_positive_int(size, "size")
    seed = check_positive_int(seed, "seed", minimum=0)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n_clients, size))


@dataclass(frozen=True)
class SecAggComparison:
    """One round of each protocol on the same updates: the sums, their errors and bounds, and the costs.

    ``costs`` has one row per protocol: mean payload bytes sent and received per client that finished
    the round, the clients' mean protocol seconds, and the round's wall-clock seconds (Flower's includes
    starting one process per message on the Deployment Engine; the lab's is in-process): volatile.
    """

    n_clients: int
    threshold: int
    dropped_before_masking: list[int]
    dropped_after_masking: list[int]
    included: list[int]
    exact_sum: np.ndarray = field(repr=False)
    lab_sum: np.ndarray = field(repr=False)
    flower_sum: np.ndarray = field(repr=False)
    lab_bound: float
    flower_bound: float
    costs: pd.DataFrame = field(repr=False, compare=False)

    @property
    def lab_error(self) -> float:
        """Largest absolute error of the lab's sum against the exact sum of the included updates."""
        return float(np.abs(self.lab_sum - self.exact_sum).max())

    @property
    def flower_error(self) -> float:
        """Largest absolute error of Flower's sum against the exact sum of the included updates."""
        return float(np.abs(self.flower_sum - self.exact_sum).max())

    @property
    def difference(self) -> float:
        """Largest absolute difference between the two protocols' sums."""
        return float(np.abs(self.lab_sum - self.flower_sum).max())

    def summary(self) -> pd.DataFrame:
        """Errors against the exact sum beside each protocol's quantisation bound."""
        return pd.DataFrame({"max |sum - exact|": [self.lab_error, self.flower_error],
                             "bound": [self.lab_bound, self.flower_bound]},
                            index=pd.Index(["ppml_lab.secure_aggregation", "Flower SecAgg+"], name="protocol"))


def _flower_round(updates: np.ndarray, threshold: int, before: list[int], after: list[int], seed: int,
                  timeout: float) -> dict:
    n_clients, size = updates.shape
    with tempfile.TemporaryDirectory(prefix="ppml-lab-secaggplus-") as scratch:
        result_path = Path(scratch) / "result.json"
        run_config = {"n-clients": n_clients, "size": size, "seed": seed, "threshold": threshold,
                      "drop-before-masking": ",".join(map(str, before)),
                      "drop-after-masking": ",".join(map(str, after)), **FLOWER_QUANTIZATION,
                      "result-path": str(result_path)}
        app = write_app(Path(scratch) / "app", "ppml-lab-secaggplus",
                        "ppml_lab.flower_deployment.secaggplus_app:server_app",
                        "ppml_lab.flower_deployment.secaggplus_app:client_app", run_config)
        nodes = [{"partition-id": client, "num-partitions": n_clients} for client in range(n_clients)]
        run_app(app, nodes, result_path, timeout=timeout)
        return json.loads(result_path.read_text(encoding="utf-8"))


def _cost_row(sent: np.ndarray, received: np.ndarray, seconds: np.ndarray, round_seconds: float) -> dict:
    return {"bytes sent per client": float(np.mean(sent)), "bytes received per client": float(np.mean(received)),
            "client protocol seconds": float(np.mean(seconds)), "round seconds (wall)": round_seconds}


def compare_secure_aggregation(n_clients: int = 4, *, threshold: int = 2, size: int = 1000,
                               drop_before_masking: Collection[int] = (1,), drop_after_masking: Collection[int] = (2,),
                               seed: int = 0, timeout: float = 300.0) -> SecAggComparison:
    """Sum :func:`client_updates` with the lab's protocol and with Flower's SecAgg+ (one SuperNode process per
    client on loopback), the same clients dropping out in both, and compare the sums with the exact one."""
    n_clients, threshold = _check_protocol_size(n_clients, threshold)
    if threshold >= n_clients:
        raise ValueError(f"threshold must be in [2, n_clients - 1 = {n_clients - 1}] (Flower's SecAggPlusWorkflow "
                         f"needs fewer than its num_shares = n_clients), got {threshold}")
    before = _check_dropouts("drop_before_masking", drop_before_masking, n_clients)
    after = _check_dropouts("drop_after_masking", drop_after_masking, n_clients)
    if set(before) & set(after):
        raise ValueError(f"drop_before_masking and drop_after_masking must not share a client (it drops once), "
                         f"got {sorted(set(before) & set(after))} in both")
    if n_clients - len(before) - len(after) < threshold:
        raise ValueError(f"{len(before) + len(after)} dropouts leave fewer than threshold={threshold} of "
                         f"n_clients={n_clients}: at most {n_clients - threshold} may drop")
    timeout = check_positive(timeout, "timeout")
    updates = client_updates(n_clients, size, seed)
    encoding = FixedPointEncoding(precision=2.0**-16, value_range=FLOWER_QUANTIZATION["clipping-range"],
                                  modulus_bits=32)
    began = time.perf_counter()
    lab = secure_aggregate(updates, encoding=encoding, threshold=threshold, drop_before_masking=before,
                           drop_after_masking=after, rng=seed)
    lab_seconds = time.perf_counter() - began
    flower = _flower_round(updates, threshold, before, after, seed, timeout)
    if flower["included"] != lab.included:
        raise RuntimeError(f"the protocols summed different clients: lab {lab.included}, Flower {flower['included']}")
    included = lab.included
    finishers = [client for client in range(n_clients) if client not in before and client not in after]
    step = 2 * FLOWER_QUANTIZATION["clipping-range"] / FLOWER_QUANTIZATION["quantization-range"]
    costs = pd.DataFrame([
        _cost_row(lab.bytes_sent[finishers], lab.bytes_received[finishers], lab.client_seconds[finishers],
                  lab_seconds),
        _cost_row(np.array([flower["bytes_sent"][str(c)] for c in finishers]),
                  np.array([flower["bytes_received"][str(c)] for c in finishers]),
                  np.array([flower["client_seconds"][str(c)] for c in finishers]), float(flower["round_seconds"]))],
        index=pd.Index(["ppml_lab.secure_aggregation", "Flower SecAgg+"], name="protocol"))
    return SecAggComparison(n_clients=n_clients, threshold=threshold, dropped_before_masking=before,
                            dropped_after_masking=after, included=included,
                            exact_sum=updates[included].sum(axis=0), lab_sum=lab.total,
                            flower_sum=np.asarray(flower["mean"]) * len(included),
                            lab_bound=len(included) * encoding.precision / 2, flower_bound=len(included) * step,
                            costs=costs)
