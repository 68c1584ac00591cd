"""The Flower App that :func:`ppml_lab.flower_deployment.compare_secure_aggregation` deploys: Flower's SecAgg+.

Clients: a ``NumPyClient`` whose ``fit`` returns this node's row of
:func:`ppml_lab.flower_deployment.client_updates` with weight 1, behind Flower's ``secaggplus_mod``
(Bell et al. 2020's SecAgg+, which is Bonawitz et al. 2017's protocol on a k-regular graph: with
``num_shares = n`` every client shares with every other, as in the lab's). An outer mod, ``_lab_mod``,
makes the clients listed in the run config drop out (it raises, so the SuperNode replies with an error,
which the server counts as a dropout) before the masked-input stage or before the unmasking stage, and
tags every reply with the node's partition id and the seconds spent in the protocol.
Server: ``DefaultWorkflow(fit_workflow=SecAggPlusWorkflow(...))`` for one round of the legacy ``FedAvg``;
it records the unmasked mean (weights 1, so ``mean * len(included)`` is the sum), who is in it, and
every message's payload bytes, and saves them as JSON to the run config's ``result-path``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from flwr.app import ConfigRecord
from flwr.client import ClientApp, NumPyClient
from flwr.client.mod import secaggplus_mod
from flwr.common import ndarrays_to_parameters, parameters_to_ndarrays
from flwr.common.secure_aggregation.secaggplus_constants import RECORD_KEY_CONFIGS, Key, Stage
from flwr.common.serde import recorddict_to_proto
from flwr.server import LegacyContext, ServerConfig
from flwr.server.strategy import FedAvg
from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow
from flwr.serverapp import ServerApp

from .secaggplus import client_updates

__all__ = ["client_app", "server_app"]

#: The record every reply carries for the lab's bookkeeping (not counted in the bytes).
LAB_RECORD = "ppml-lab"


def _indices(text: str) -> set[int]:
    return {int(part) for part in str(text).split(",") if part.strip()}


class _UpdateClient(NumPyClient):
    """Returns a fixed update (this node's row of ``client_updates``) with weight 1: no training."""

    def __init__(self, update: np.ndarray, partition_id: int) -> None:
        self.update, self.partition_id = update, partition_id

    def fit(self, parameters, config):  # noqa: ANN001, ANN201 - Flower's NumPyClient signature
        return [self.update], 1, {"partition-id": self.partition_id}


def _client_fn(context):  # noqa: ANN001, ANN202
    config, node = context.run_config, context.node_config
    partition_id = int(node["partition-id"])
    updates = client_updates(int(node["num-partitions"]), int(config["size"]), int(config["seed"]))
    return _UpdateClient(updates[partition_id], partition_id).to_client()


class ClientDroppedOut(RuntimeError):
    """Raised by ``_lab_mod`` to make a client vanish at its configured stage."""


def _lab_mod(message, context, call_next):  # noqa: ANN001, ANN202 - Flower's Mod signature
    """Drop out where the run config says; tag the reply with the partition id and the protocol seconds."""
    partition_id = int(context.node_config["partition-id"])
    configs = message.content.config_records.get(RECORD_KEY_CONFIGS)
    stage = None if configs is None else configs.get(Key.STAGE)
    if (stage == Stage.COLLECT_MASKED_VECTORS and partition_id in _indices(context.run_config["drop-before-masking"])
            or stage == Stage.UNMASK and partition_id in _indices(context.run_config["drop-after-masking"])):
        raise ClientDroppedOut(f"client {partition_id} drops out before the {stage} stage")
    began = time.perf_counter()
    reply = call_next(message, context)
    seconds = time.perf_counter() - began
    if reply.has_content():
        reply.content.config_records[LAB_RECORD] = ConfigRecord({"partition-id": partition_id, "seconds": seconds,
                                                                 "stage": str(stage)})
    return reply


#: Every SuperNode's ClientApp: the update client behind SecAgg+, behind the lab's dropout/metering mod.
client_app = ClientApp(client_fn=_client_fn, mods=[_lab_mod, secaggplus_mod])


class _RecordingFedAvg(FedAvg):
    """Flower's legacy FedAvg that also keeps the unmasked aggregate and who is in it."""

    recorded: dict

    def aggregate_fit(self, server_round, results, failures):  # noqa: ANN001, ANN201
        self.recorded = {"mean": parameters_to_ndarrays(results[0][1].parameters)[0].tolist(),
                         "included": sorted(int(fit.metrics["partition-id"]) for _, fit in results)}
        return super().aggregate_fit(server_round, results, failures)


def _payload_bytes(content) -> int:  # noqa: ANN001
    """A message's payload as Flower serialises it (protobuf), without the lab's own record."""
    records = {key: record for key, record in content.items() if key != LAB_RECORD}
    from flwr.app import RecordDict

    return recorddict_to_proto(RecordDict(records)).ByteSize()


class _MeteredGrid:
    """Wraps the ServerApp's Grid: counts each node's payload bytes both ways and reads the lab's tags."""

    def __init__(self, grid) -> None:  # noqa: ANN001
        self.grid, self.sent, self.received, self.partition, self.seconds = grid, {}, {}, {}, {}

    def __getattr__(self, name: str):  # noqa: ANN204 - everything else goes to Flower's Grid
        return getattr(self.grid, name)

    def send_and_receive(self, messages, *, timeout=None):  # noqa: ANN001, ANN201
        messages = list(messages)
        for message in messages:
            node = message.metadata.dst_node_id
            self.received[node] = self.received.get(node, 0) + _payload_bytes(message.content)
        replies = list(self.grid.send_and_receive(messages, timeout=timeout))
        for reply in replies:
            node = reply.metadata.src_node_id
            if reply.has_error():
                continue
            tag = reply.content.config_records.get(LAB_RECORD)
            if tag is not None:
                self.partition[node] = int(tag["partition-id"])
                self.seconds[node] = self.seconds.get(node, 0.0) + float(tag["seconds"])
            self.sent[node] = self.sent.get(node, 0) + _payload_bytes(reply.content)
        return replies


#: The SuperLink's ServerApp: one round of FedAvg whose aggregation is SecAggPlusWorkflow.
server_app = ServerApp()


@server_app.main()
def _main(grid, context) -> None:  # noqa: ANN001 - Flower's ServerApp signature
    config = context.run_config
    n_clients, size = int(config["n-clients"]), int(config["size"])
    strategy = _RecordingFedAvg(fraction_fit=1.0, fraction_evaluate=0.0, min_fit_clients=n_clients,
                                min_available_clients=n_clients,
                                initial_parameters=ndarrays_to_parameters([np.zeros(size)]))
    workflow = SecAggPlusWorkflow(num_shares=n_clients, reconstruction_threshold=int(config["threshold"]),
                                  max_weight=1.0, clipping_range=float(config["clipping-range"]),
                                  quantization_range=int(config["quantization-range"]),
                                  modulus_range=int(config["modulus-range"]))
    metered = _MeteredGrid(grid)
    began = time.perf_counter()
    DefaultWorkflow(fit_workflow=workflow)(metered, LegacyContext(context=context, config=ServerConfig(num_rounds=1),
                                                                  strategy=strategy))
    seconds = time.perf_counter() - began
    partition = metered.partition
    result = {**strategy.recorded, "round_seconds": seconds,
              "bytes_sent": {partition[node]: count for node, count in metered.sent.items() if node in partition},
              "bytes_received": {partition[node]: count for node, count in metered.received.items()
                                 if node in partition},
              "client_seconds": {partition[node]: value for node, value in metered.seconds.items()}}
    path = Path(str(config["result-path"]))
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.rename(path)
