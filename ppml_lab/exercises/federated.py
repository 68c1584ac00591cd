"""Checks for the exercises of ``notebooks/05_federated_learning.ipynb``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..federated import aggregate
from ..leakage import single_step_update
from ..models import build_model
from ..validation import ParameterTypeError, check_positive_int
from . import Feedback, call_safely, correct, not_yet

__all__ = ["check_weighted_average", "check_label_from_update"]


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
        answer, problem = call_safely(function, [u.clone() for u in update])
        if problem is not None:
            return problem
        if answer is None:
            return not_yet("`label_from_update` returned None: return the label as an integer 0-9.")
        try:
            answer = int(answer)
        except (TypeError, ValueError):
            return not_yet(f"return an integer label, got {answer!r}.")
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


def _check_callable(function: object) -> None:
    if not callable(function):
        raise ParameterTypeError(f"function must be your function (a callable) or None, got {function!r} "
                                 f"of type {type(function).__name__}")


def _last_rows(update: list[torch.Tensor]) -> torch.Tensor:
    return [u for u in update if u.dim() == 2][-1].sum(dim=1)
