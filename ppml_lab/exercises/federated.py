"""Checks for the exercises of ``notebooks/05_federated_learning.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..datasets import ImageDataset
from ..federated import aggregate, client_update
from ..leakage import single_step_update
from ..models import build_model
from ..validation import ParameterTypeError, check_positive_int
from . import Feedback, call_for_number, call_safely, correct, not_yet

__all__ = ["check_weighted_average", "check_label_from_update", "check_local_fedprox"]


def _example_states(seed: int = 0) -> tuple[list[dict[str, torch.Tensor]], list[int]]:
    generator = torch.Generator().manual_seed(seed)
    states = [{"weight": torch.randn(3, 2, generator=generator), "bias": torch.randn(3, generator=generator)}
              for _ in range(3)]
    return states, [600, 300, 100]


def check_weighted_average(function: Callable[[list[dict[str, torch.Tensor]], list[int]], dict] | None) -> Feedback:
    """Exercise 1: the server's FedAvg step, a size-weighted average of client models."""
    if function is None:
        return not_yet("define `server_average(states, sizes)` and pass it to the check.")
    _check_callable(function)
    states, sizes = _example_states()
    answer, problem = call_safely(function, states, sizes)
    if problem is not None:
        return problem
    if answer is None:
        return not_yet("`server_average` returned None: return a dict {parameter name: averaged tensor}.")
    if not isinstance(answer, dict) or set(answer) != set(states[0]):
        return not_yet(f"return a dict with the same keys as each client's state, {sorted(states[0])}; "
                       f"got {type(answer).__name__} with keys {sorted(answer) if isinstance(answer, dict) else '-'}.")
    expected = aggregate(states, sizes, "size")
    uniform = aggregate(states, sizes, "uniform")
    summed = {name: sum(size * state[name] for size, state in zip(sizes, states)) for name in states[0]}

    def same(candidate: dict) -> bool:
        return all(torch.allclose(torch.as_tensor(answer[name]).float(), candidate[name], atol=1e-5)
                   for name in candidate)

    if same(expected):
        return correct("client k counts n_k / n, so the server minimises the loss over all n examples, "
                       "not a vote in which a 100-example client weighs as much as a 600-example one.")
    if same(uniform):
        return not_yet("that is the naive mean: every client counts the same. Weight client k by n_k / n, "
                       "its share of all examples.")
    if same(summed):
        return not_yet("you multiplied by the sizes but did not divide by their total n = sum(sizes): the "
                       "weights must add up to 1.")
    return not_yet("the average is off: for each parameter, compute sum_k (n_k / n) * state_k[parameter].")


def check_label_from_update(function: Callable[[list[torch.Tensor]], int] | None, n_images: int = 8) -> Feedback:
    """Exercise 2: iDLG's first step, reading a client's label off its single-image update."""
    n_images = check_positive_int(n_images, "n_images")
    if n_images > 10:
        raise ValueError(f"n_images must be an integer in [1, 10] (one image per distinct label), got {n_images}")
    if function is None:
        return not_yet("define `label_from_update(update)` and pass it to the check.")
    _check_callable(function)
    data_rng = np.random.default_rng(5)
    model = build_model("mlp", seed=3, hidden=32)
    images = data_rng.random((n_images, 1, 28, 28)).astype(np.float32) * 0.8
    labels = data_rng.permutation(10)[:n_images]
    wrong, opposite = [], 0
    for image, label in zip(images, labels):
        update = single_step_update(model, image, np.array([label]), lr=0.1)
        answer, problem = call_for_number(function, [u.clone() for u in update], name="`label_from_update`",
                                          what="the label as an integer 0-9", convert=int)
        if problem is not None:
            return problem
        if answer != label:
            wrong.append((int(label), answer))
            opposite += int(int(_last_rows(update).argmin()) == answer)
    if not wrong:
        return correct(f"all {n_images} labels read off the last layer: an update is a gradient times -lr, so the "
                       "true class's row is the only one pointing the other way from the rest.")
    if opposite == len(wrong):
        return not_yet("you picked the row with the smallest sum. The update is -lr x gradient, so the signs are "
                       "flipped: the true label's row has the *largest* sum.")
    return not_yet(f"{len(wrong)} of {n_images} labels wrong (true, yours): {wrong[:3]}. Sum each row of the last "
                   "layer's weight update (the last 2-D tensor) and pick the row that stands out in sign.")


def _flat(model: torch.nn.Module) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().double().numpy()


def _fedprox_problem(seed: int) -> tuple[torch.nn.Module, ImageDataset, float, float, int]:
    """A random client (images, labels), a logistic model and random (mu, lr, steps): nothing to hard-code."""
    data_rng = np.random.default_rng(seed)
    images = data_rng.random((16, 1, 28, 28)).astype(np.float32)
    data = ImageDataset(images, data_rng.integers(0, 10, 16))
    model = build_model("logistic", seed=int(data_rng.integers(0, 1000)))
    mu, lr, steps = float(data_rng.uniform(1.0, 3.0)), float(data_rng.uniform(0.2, 0.4)), int(data_rng.integers(4, 7))
    return model, data, mu, lr, steps


def _data_gradient(model: torch.nn.Module, data: ImageDataset) -> Callable[[np.ndarray], np.ndarray]:
    """grad F_k(w): the mean cross-entropy's gradient on the client's whole data, at flat weights ``w``."""
    images, labels = torch.as_tensor(data.images), torch.as_tensor(data.labels).long()

    def gradient(weights: np.ndarray) -> np.ndarray:
        vector = torch.as_tensor(np.asarray(weights, dtype=np.float64), dtype=torch.float32).detach()
        torch.nn.utils.vector_to_parameters(vector, model.parameters())
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(images), labels).backward()
        return torch.cat([p.grad.flatten() for p in model.parameters()]).double().numpy()

    return gradient


def _package_fedprox(model: torch.nn.Module, data: ImageDataset, mu: float, lr: float, steps: int) -> np.ndarray:
    """The package's own client update (``federated.client_update``): one full-batch step per epoch."""
    local = build_model("logistic")
    local.load_state_dict(model.state_dict())
    client_update(local, data, local_epochs=steps, batch_size=len(data), lr=lr, mu=mu)
    return _flat(local)


def _variant(start: np.ndarray, gradient: Callable, mu: float, lr: float, steps: int, kind: str) -> np.ndarray:
    """Typical wrong local updates, to name the mistake."""
    weights, previous = start.copy(), start.copy()
    for _ in range(steps):
        anchor = previous if kind == "previous" else start
        coefficient = {"sign": -mu, "half": mu / 2, "previous": mu}[kind]
        weights, previous = weights - lr * (gradient(weights) + coefficient * (weights - anchor)), weights
    return weights


def check_local_fedprox(function: Callable[[np.ndarray, Callable, float, float, int], np.ndarray] | None,
                        seed: int = 0) -> Feedback:
    """Exercise 3: FedProx's client update (Li et al. 2020), checked against :func:`federated.client_update`.

    The client data, model initialisation, mu, lr and number of steps are drawn from ``seed``.
    """
    seed = check_positive_int(seed, "seed", minimum=0)
    if function is None:
        return not_yet("define `local_fedprox(global_weights, data_gradient, mu, lr, steps)` and pass it to the check.")
    _check_callable(function)
    model, data, mu, lr, steps = _fedprox_problem(seed)
    start = _flat(model)
    gradient = _data_gradient(build_model("logistic"), data)
    answers = {}
    for value in (mu, 0.0):
        given = start.copy()
        answer, problem = call_safely(function, given, gradient, value, lr, steps)
        if problem is not None:
            return problem
        if answer is None:
            return not_yet("`local_fedprox` returned None: return the client's final weights, an array like "
                           "global_weights.")
        try:
            answer = np.asarray(answer, dtype=np.float64)
        except (TypeError, ValueError):
            return not_yet(f"return the weights as a NumPy array, got {type(answer).__name__}.")
        if answer.shape != start.shape:
            return not_yet(f"return an array of shape {start.shape} like global_weights, got shape {answer.shape}.")
        if not np.array_equal(given, start):
            return not_yet("your function changed global_weights in place (`w -= ...` on the same array), so the "
                           "anchor moved with the local model: start from a copy, and keep the round's global "
                           "weights fixed.")
        answers[value] = answer
    expected = _package_fedprox(model, data, mu, lr, steps)
    fedavg = _package_fedprox(model, data, 0.0, lr, steps)
    scale = np.linalg.norm(expected - fedavg)

    def same(candidate: np.ndarray) -> bool:
        return bool(np.linalg.norm(answers[mu] - candidate) <= 1e-3 * scale)

    if same(expected) and bool(np.linalg.norm(answers[0.0] - fedavg) <= 1e-3 * scale):
        return correct(f"after {steps} steps your client matches the package's FedProx (mu = {mu:.2f}): the proximal "
                       "term's gradient mu (w - w_global) pulls every step back towards the round's global model, "
                       "and mu = 0 is FedAvg's local SGD.")
    if same(expected):
        return not_yet("right for this mu, but with mu = 0 your update is not FedAvg's plain local SGD: the "
                       "proximal term must vanish when mu = 0, and the data gradient must not be scaled by mu.")
    if same(fedavg):
        return not_yet("that is plain FedAvg: your proximal term vanished. Its anchor must be the round's global "
                       "weights, kept fixed for all steps, not the current local weights.")
    mistakes = {"sign": "the proximal term has the wrong sign: it must pull w back towards w_global, not push it "
                        "away.",
                "half": "your proximal pull is half of FedProx's: you kept the 1/2 of mu/2 ||w - w_global||^2 in its "
                        "gradient; differentiate the square again.",
                "previous": "your anchor moves: you pull towards the previous step's local weights instead of the "
                            "round's global weights, which stay fixed for the whole round."}
    for kind, message in mistakes.items():
        if same(_variant(start, gradient, mu, lr, steps, kind)):
            return not_yet(message)
    if not np.allclose(answers[0.0], fedavg, rtol=0, atol=1e-3 * scale + 1e-12):
        return not_yet("with mu = 0 your update is not FedAvg's plain local SGD: FedProx must reduce to FedAvg "
                       "when mu = 0 (did you scale the data gradient by mu, or add the term without mu?).")
    return not_yet(f"after {steps} steps your weights are off from FedProx's: each step is "
                   "w <- w - lr * (gradient of the client's FedProx objective at w), starting from global_weights.")


def _check_callable(function: object) -> None:
    if not callable(function):
        raise ParameterTypeError(f"function must be your function (a callable) or None, got {function!r} "
                                 f"of type {type(function).__name__}")


def _last_rows(update: list[torch.Tensor]) -> torch.Tensor:
    return [u for u in update if u.dim() == 2][-1].sum(dim=1)
