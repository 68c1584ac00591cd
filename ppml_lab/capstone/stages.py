"""The capstone's stages, each measured the same way: utility, compute, communication, the threat and its attack.

Taught in ``notebooks/11_capstone.ipynb``. Every stage calls the technique's own lesson module (``dpsgd``,
``federated``, ``secure_aggregation``, ``encrypted_inference``, ``attacks.membership``); this module only
wires them to the hospital task and measures them. Each stage returns a :class:`StageResult`.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from ..cache import cached, data_fingerprint
from ..datasets import ImageDataset
from ..models import build_model
from ..validation import (
    ParameterTypeError,
    check_delta,
    check_epsilon,
    check_positive,
    check_positive_int,
)
from .scenario import HospitalTask

__all__ = ["CapstoneConfig", "StageResult", "membership_auc", "train_central", "train_federated",
           "train_secure_federated", "serve_encrypted", "linear_model_of"]

#: Bytes of one float32 parameter or feature on the wire.
FLOAT_BYTES = 4


@dataclass(frozen=True)
class CapstoneConfig:
    """Every knob of the capstone pipeline (the cache key of its results).

    The learning rates and epochs were picked on the task's validation split (lr in {0.5, 2.0} at 10 epochs,
    for the non-private and the epsilon = 3 model alike), never on the test split.
    """

    n_train: int = 3000
    n_heldout: int = 2000
    epochs: int = 10
    batch_size: int = 128
    lr: float = 2.0
    max_grad_norm: float = 1.0
    epsilon: float = 3.0
    delta: float = 1e-5
    rounds: int = 10
    local_epochs: int = 1
    client_batch_size: int = 64
    client_lr: float = 0.5
    dp_fedavg_epsilon: float = 8.0
    dp_fedavg_delta: float = 1e-3
    max_update_norm: float = 0.5
    seeds: tuple[int, ...] = (0, 1, 2)
    key_bits: int = 2048
    n_encrypted: int = 10

    def __post_init__(self) -> None:
        for name in ("n_train", "n_heldout", "epochs", "batch_size", "rounds", "local_epochs", "client_batch_size",
                     "n_encrypted"):
            check_positive_int(getattr(self, name), name)
        for name in ("lr", "max_grad_norm", "client_lr", "max_update_norm"):
            check_positive(getattr(self, name), name)
        check_epsilon(self.epsilon, "epsilon")
        check_epsilon(self.dp_fedavg_epsilon, "dp_fedavg_epsilon")
        if not 0 < check_delta(self.delta) < 1 or not 0 < check_delta(self.dp_fedavg_delta, "dp_fedavg_delta") < 1:
            raise ValueError(f"delta and dp_fedavg_delta must be in (0, 1), got {self.delta!r} and "
                             f"{self.dp_fedavg_delta!r}")
        if isinstance(self.seeds, (str, bytes)) or not isinstance(self.seeds, tuple) or not self.seeds:
            raise ParameterTypeError(f"seeds must be a non-empty tuple of integers >= 0, got {self.seeds!r}")
        for seed in self.seeds:
            check_positive_int(seed, "seeds", minimum=0)
        check_positive_int(self.key_bits, "key_bits", minimum=16)
        if self.batch_size > self.n_train:
            raise ValueError(f"batch_size must be <= n_train={self.n_train}, got {self.batch_size}")


@dataclass(frozen=True)
class StageResult:
    """One technique measured on the task; one row of the capstone's table.

    ``utility`` per seed (accuracy on the test split, or agreement for serving); ``compute_seconds`` per seed
    (wall clock: volatile); ``communication_bytes`` (deterministic); the threat the technique addresses and
    the attack measured on it ``before`` (without the technique) and ``after`` (with it), per seed;
    ``epsilon`` with its unit (``"record"`` or ``"hospital"``), or None when the technique gives no DP
    guarantee; ``technique_keys`` name its rows in the compliance map.
    """

    name: str
    stage: str
    technique_keys: tuple[str, ...]
    utility: tuple[float, ...]
    compute_seconds: tuple[float, ...]
    communication_bytes: float
    threat: str
    attack: str
    attack_before: tuple[float, ...]
    attack_after: tuple[float, ...]
    epsilon: float | None = None
    epsilon_unit: str | None = None
    models: tuple = field(default=(), compare=False, repr=False)


def _check_task(task: HospitalTask) -> HospitalTask:
    if not isinstance(task, HospitalTask):
        raise ParameterTypeError(f"task must be a ppml_lab.capstone.HospitalTask (from make_task), "
                                 f"got {type(task).__name__}")
    return task


def _check_config(config: CapstoneConfig) -> CapstoneConfig:
    if not isinstance(config, CapstoneConfig):
        raise ParameterTypeError(f"config must be a ppml_lab.capstone.CapstoneConfig, got {type(config).__name__}")
    return config


def _model_kwargs(task: HospitalTask) -> dict[str, int]:
    return {"n_features": task.n_features, "n_classes": 2}


def _key(task: HospitalTask, config: CapstoneConfig, **extra: object) -> dict[str, object]:
    return {"config": asdict(config), "task": data_fingerprint(task.train.images, task.train.labels,
                                                              task.candidates.images), **extra}


def _shadow(task: HospitalTask, config: CapstoneConfig, seed: int):
    """The attacker's shadow: the same recipe, trained on a random half of its own pool."""
    from ..attacks.membership import ShadowModels
    from ..training import train_classifier

    def train() -> tuple[nn.Module, np.ndarray]:
        chosen = np.zeros(len(task.pool), dtype=bool)
        chosen[np.random.default_rng(np.random.SeedSequence([seed, 13])).permutation(len(task.pool))[
            : len(task.pool) // 2]] = True
        model = build_model("logistic", seed=seed + 100, **_model_kwargs(task))
        train_classifier(model, ImageDataset(task.pool.images[chosen], task.pool.labels[chosen]),
                         epochs=config.epochs, batch_size=config.batch_size, lr=config.lr, seed=seed + 100)
        return model, chosen

    model, chosen = cached("capstone_shadow", _key(task, config, seed=seed), train)
    return ShadowModels([model], task.pool, chosen[None, :])


def membership_auc(model: nn.Module, task: HospitalTask, config: CapstoneConfig | None = None, seed: int = 0) -> float:
    """AUC of the lab's loss attack (Yeom et al. 2018) on ``task.candidates``: half members, half not.

    0.5 is guessing. The attacker's threshold comes from a shadow model trained on its own pool.
    """
    from ..attacks.membership import loss_attack
    from ..attacks.metrics import roc_auc

    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    seed = check_positive_int(seed, "seed", minimum=0)
    result = loss_attack(model, task.candidates, _shadow(task, config, seed))
    return roc_auc(result.scores, task.is_member)


def _pooling_bytes(task: HospitalTask) -> float:
    """What centralising the training rows costs: every feature and label sent once to one server."""
    return float(task.train.images.size * FLOAT_BYTES + task.train.labels.size * FLOAT_BYTES)


def train_central(task: HospitalTask, config: CapstoneConfig | None = None, epsilon: float | None = None,
                  seed: int = 0):
    """The pooled training set, trained centrally with :func:`ppml_lab.dpsgd.train_dpsgd` (``epsilon=None``:
    the non-private baseline with the same optimiser, epochs and batch size). Cached; returns a DPSGDResult."""
    from ..dpsgd import train_dpsgd

    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    if epsilon is not None:
        epsilon = check_epsilon(epsilon)
    seed = check_positive_int(seed, "seed", minimum=0)

    def train():
        model = build_model("logistic", seed=seed, **_model_kwargs(task))
        return train_dpsgd(model, task.train, task.test, epsilon=epsilon, delta=config.delta,
                           max_grad_norm=config.max_grad_norm, epochs=config.epochs, batch_size=config.batch_size,
                           lr=config.lr, accountant="rdp", seed=seed, grad_sample_mode="ghost")

    return cached("capstone_central", _key(task, config, epsilon=epsilon, seed=seed), train)


def train_federated(task: HospitalTask, config: CapstoneConfig | None = None, private: bool = False, seed: int = 0):
    """FedAvg across the three hospitals (every hospital every round), or DP-FedAvg at
    ``config.dp_fedavg_epsilon`` (client level: one hospital's whole data), with :mod:`ppml_lab.federated`.
    Cached; returns a FederatedResult."""
    from ..federated import dp_fedavg, fedavg

    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    if not isinstance(private, bool):
        raise ParameterTypeError(f"private must be True or False, got {private!r}")
    seed = check_positive_int(seed, "seed", minimum=0)
    common = {"model": "logistic", "model_kwargs": _model_kwargs(task), "rounds": config.rounds,
              "client_fraction": 1.0, "local_epochs": config.local_epochs, "batch_size": config.client_batch_size,
              "lr": config.client_lr, "seed": seed, "progress": False}

    def train():
        if private:
            return dp_fedavg(list(task.clients), task.test, epsilon=config.dp_fedavg_epsilon,
                             delta=config.dp_fedavg_delta, max_update_norm=config.max_update_norm, **common)
        return fedavg(list(task.clients), task.test, **common)

    return cached("capstone_federated", _key(task, config, private=private, seed=seed), train)


def _flat(model: nn.Module) -> np.ndarray:
    return torch.cat([p.detach().reshape(-1) for p in model.state_dict().values()]).double().numpy()


def _load_flat(model: nn.Module, vector: np.ndarray) -> None:
    state, offset = {}, 0
    for name, tensor in model.state_dict().items():
        state[name] = torch.from_numpy(vector[offset: offset + tensor.numel()].reshape(tensor.shape)).to(tensor.dtype)
        offset += tensor.numel()
    model.load_state_dict(state)


def train_secure_federated(task: HospitalTask, config: CapstoneConfig | None = None, seed: int = 0) -> dict:
    """FedAvg whose server only receives secure sums (Bonawitz et al. 2017), with the same clients, seeds and
    local training as :func:`train_federated`, so the two models agree up to the fixed-point precision.

    Each hospital k sends ``[n_k / n * Delta_k, n_k / n]`` through
    :func:`ppml_lab.secure_aggregation.secure_aggregate` (the same weighting as
    :mod:`ppml_lab.secure_fedavg`). Returns the model, its test accuracy, the seconds, the bytes each
    hospital sent and received over all rounds, the largest gap to plain FedAvg's parameters, and how
    well the server's view of hospital 0's first message correlates with the message itself.
    Cached.
    """
    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    seed = check_positive_int(seed, "seed", minimum=0)
    return cached("capstone_secure_federated", _key(task, config, seed=seed),
                  lambda: _secure_rounds(task, config, seed))


def _secure_rounds(task: HospitalTask, config: CapstoneConfig, seed: int) -> dict:
    from ..federated import client_seed, client_update
    from ..secure_aggregation import FixedPointEncoding, secure_aggregate
    from ..training import evaluate

    began = time.perf_counter()
    encoding = FixedPointEncoding()
    global_model = build_model("logistic", seed=seed, **_model_kwargs(task))
    local = build_model("logistic", seed=seed, **_model_kwargs(task))
    total_size = float(sum(len(c) for c in task.clients))
    bytes_moved, view_correlation, client_seconds = 0.0, float("nan"), []
    rng = np.random.default_rng(np.random.SeedSequence([seed, 14]))
    for round_number in range(1, config.rounds + 1):
        start = _flat(global_model)
        messages = []
        for k, client in enumerate(task.clients):
            _load_flat(local, start)
            client_update(local, client, config.local_epochs, config.client_batch_size, config.client_lr,
                          seed=client_seed(seed, round_number, k))
            share = len(client) / total_size
            messages.append(np.append(np.clip(share * (_flat(local) - start), -1, 1), share))
        result = secure_aggregate(np.array(messages), encoding=encoding, rng=rng)
        bytes_moved += float(result.bytes_sent.sum() + result.bytes_received.sum())
        client_seconds.append(float(result.client_seconds.mean()))
        bytes_moved += len(task.clients) * start.size * FLOAT_BYTES  # each hospital downloads the global model
        if round_number == 1:
            seen = result.masked_inputs[0].astype(np.float64)
            view_correlation = float(abs(np.corrcoef(seen, messages[0])[0, 1]))
        _load_flat(global_model, start + result.total[:-1] / result.total[-1])
    seconds = time.perf_counter() - began
    return {"model": global_model, "accuracy": evaluate(global_model, task.test), "train_seconds": seconds,
            "bytes": bytes_moved, "server_view_correlation": view_correlation,
            "bytes_per_client_round": bytes_moved / (len(task.clients) * config.rounds),
            "client_seconds_per_round": float(np.mean(client_seconds)), "parameters": int(start.size)}


def linear_model_of(model: nn.Module, feature_names: tuple[str, ...] = ()):
    """A two-class ``models.logistic_regression`` as an ``encrypted_inference.LinearModel``: the score
    (w_1 - w_0) . x + (b_1 - b_0) is positive exactly when the model predicts class 1."""
    from ..encrypted_inference import LinearModel

    if not isinstance(model, nn.Module):
        raise ParameterTypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 1 or linears[0].out_features != 2:
        raise ValueError("model must be a two-class logistic regression (one nn.Linear with 2 outputs), "
                         f"got {len(linears)} linear layers")
    weight = linears[0].weight.detach().double().numpy()
    bias = linears[0].bias.detach().double().numpy()
    return LinearModel(weight[1] - weight[0], float(bias[1] - bias[0]), tuple(feature_names))


def _server_reads(public_key, ciphertext, value: float) -> bool:
    """Whether the server, reading a ciphertext as if it were a plaintext encoding, gets the feature back."""
    from .. import paillier

    try:
        read = paillier.decode(public_key, int(ciphertext.value) % public_key.n, ciphertext.fractional_bits)
    except OverflowError:  # the 'plaintext' falls outside the message space: nothing readable
        return False
    return math.isclose(float(read), float(value), abs_tol=1e-6)


def serve_encrypted(model: nn.Module, task: HospitalTask, config: CapstoneConfig | None = None) -> dict:
    """An outside clinic scores ``config.n_encrypted`` test patients on the trained model without showing their
    features: Paillier encryption under the clinic's ``config.key_bits``-bit key (lesson 07).

    Returns the encrypted and plaintext predictions' accuracy, their agreement, seconds per prediction both
    ways, bytes per query both ways, and the fraction of feature values the server could read from what it
    received (decoding each ciphertext as if it were a plaintext encoding). Keys come from the OS
    (``mode="real"``) from 2048 bits, so this is not cached; the outputs are the same on every run.
    """
    from .. import paillier
    from ..encrypted_inference import encrypt_features, paillier_scores, plaintext_scores

    _check_task(task)
    config = _check_config(CapstoneConfig() if config is None else config)
    linear = linear_model_of(model, task.feature_names)
    rows = task.test.images[: config.n_encrypted].astype(np.float64)
    labels = task.test.labels[: config.n_encrypted]
    mode = "real" if config.key_bits >= paillier.MIN_REAL_KEY_BITS else "toy"
    public_key, private_key = paillier.generate_keypair(config.key_bits, mode, rng=None if mode == "real" else 0)
    began = time.perf_counter()
    plain = plaintext_scores(linear, rows)
    plain_seconds = (time.perf_counter() - began) / len(rows)
    began = time.perf_counter()
    encrypted = paillier_scores(linear, rows, public_key, private_key)
    encrypted_seconds = (time.perf_counter() - began) / len(rows)
    sent = encrypt_features(public_key, rows[0])
    readable = float(np.mean([_server_reads(public_key, c, x) for c, x in zip(sent, rows[0])]))
    ciphertext_bytes = 2 * config.key_bits / 8
    return {"accuracy_plain": float(((plain > 0) == labels).mean()),
            "accuracy_encrypted": float(((encrypted > 0) == labels).mean()),
            "agreement": float(((plain > 0) == (encrypted > 0)).mean()),
            "max_score_error": float(np.abs(plain - encrypted).max()),
            "seconds_plain": plain_seconds, "seconds_encrypted": encrypted_seconds,
            "bytes_plain": float((rows.shape[1] + 1) * 8), "bytes_encrypted": (rows.shape[1] + 1) * ciphertext_bytes,
            "server_reads_plain": 1.0, "server_reads_encrypted": readable}
