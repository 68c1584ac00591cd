"""What an API returns, and how much each answer leaks: full probabilities, top-1 with confidence, label only.

The same model behind three APIs. Against the first two, lesson 03's LiRA reads the confidence the
API gives (:class:`APIView` turns an answer back into the logits an attacker can infer). Against a
label-only API, Choquette-Choo et al. 2021 query each record many times with small perturbations:
a model is more robust around its training records, so the share of perturbed queries still
labelled correctly is a membership score (their "noise robustness" attack, Section 4). Taught in
``notebooks/10_machine_unlearning.ipynb``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..datasets import ImageDataset, check_dataset
from ..models import check_module
from ..seeding import as_rng
from ..validation import ParameterTypeError, check_one_of, check_positive, check_positive_int
from .membership import ShadowModels, lira_online
from .metrics import attack_metrics, roc_auc

__all__ = ["API_OUTPUTS", "api_response", "APIView", "label_only_scores", "choose_noise_std", "api_leakage"]

API_OUTPUTS = ("probabilities", "top-1 with confidence", "label only")


@torch.no_grad()
def api_response(model: nn.Module, images: np.ndarray, output: str) -> np.ndarray:
    """What the API answers: probabilities (n, C); (label, confidence) pairs (n, 2); or labels (n,)."""
    from .membership import model_logits

    check_module(model)
    check_one_of(output, API_OUTPUTS, "output")
    probabilities = torch.softmax(torch.from_numpy(model_logits(model, images)), dim=1).numpy()
    if output == "probabilities":
        return probabilities
    if output == "top-1 with confidence":
        return np.c_[probabilities.argmax(1), probabilities.max(1)]
    return probabilities.argmax(1)


class APIView(nn.Module):
    """``model`` seen through an API: returns the logits an attacker can infer from the API's answer.

    "probabilities": the log-probabilities (the logits up to a constant, which LiRA ignores).
    "top-1 with confidence": the top label keeps its log-odds; the rest of the mass is spread evenly
    over the other labels (all the attacker knows about them).
    """

    def __init__(self, model: nn.Module, output: str) -> None:
        check_module(model)
        check_one_of(output, API_OUTPUTS[:2], "output")
        super().__init__()
        self.model, self.output = model, output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.model(x).double()
        log_probs = torch.log_softmax(logits, dim=1)
        if self.output == "probabilities":
            return log_probs
        top = logits.argmax(1)
        others = logits.clone()
        others[torch.arange(len(x)), top] = -torch.inf
        top_log_odds = logits[torch.arange(len(x)), top] - torch.logsumexp(others, dim=1)
        view = torch.zeros_like(logits)
        view[torch.arange(len(x)), top] = top_log_odds + np.log(logits.shape[1] - 1)
        return view


def label_only_scores(model: nn.Module, candidates: ImageDataset, *, noise_std: float = 0.3, n_queries: int = 32,
                      rng: np.random.Generator | int | None = 0) -> np.ndarray:
    """Share of ``n_queries`` noisy copies of each candidate that a label-only API labels correctly.

    Gaussian noise of ``noise_std`` per pixel, clipped to [0, 1] (Choquette-Choo et al. 2021, Section 4).
    """
    check_module(model)
    check_dataset(candidates, "candidates")
    noise_std = check_positive(noise_std, "noise_std")
    n_queries = check_positive_int(n_queries, "n_queries")
    generator = as_rng(rng)
    correct = np.zeros(len(candidates))
    for _ in range(n_queries):
        noisy = np.clip(candidates.images + generator.normal(0.0, noise_std, candidates.images.shape), 0, 1)
        correct += api_response(model, noisy.astype(candidates.images.dtype), "label only") == candidates.labels
    return correct / n_queries


def choose_noise_std(shadows: ShadowModels, noise_stds: tuple[float, ...], *, n_queries: int = 32,
                     rng: np.random.Generator | int | None = 0) -> float:
    """The perturbation size with the best AUC against shadow 0 (whose members the attacker knows)."""
    if not isinstance(shadows, ShadowModels):
        raise ParameterTypeError(f"shadows must be ShadowModels, got {type(shadows).__name__}")
    if not isinstance(noise_stds, tuple) or not noise_stds:
        raise ValueError(f"noise_stds must be a non-empty tuple of positive numbers, got {noise_stds!r}")
    noise_stds = tuple(check_positive(s, "noise_stds") for s in noise_stds)
    truth = shadows.in_mask[0]
    aucs = [roc_auc(label_only_scores(shadows.models[0], shadows.data, noise_std=s, n_queries=n_queries, rng=rng),
                    truth) for s in noise_stds]
    return noise_stds[int(np.argmax(aucs))]


def api_leakage(target: nn.Module, candidates: ImageDataset, is_member: np.ndarray, shadows: ShadowModels, *,
                noise_std: float = 0.3, n_queries: int = 32, seed: int = 0) -> pd.DataFrame:
    """One row per API answer format: the best attack we have against it, AUC and TPR at 1% FPR with 95% CIs.

    Probabilities and top-1 with confidence: online LiRA on what the API returns (shadows seen
    through the same API). Label only: one query (right or wrong: the gap attack) and ``n_queries``
    perturbed queries (Choquette-Choo et al. 2021).
    """
    check_module(target)
    check_dataset(candidates, "candidates")
    is_member = np.asarray(is_member)
    if is_member.shape != (len(candidates),) or is_member.dtype != bool:
        raise ValueError(f"is_member must be a boolean array with one entry per candidate ({len(candidates)}), "
                         f"got {is_member.dtype} {is_member.shape}")
    if not isinstance(shadows, ShadowModels):
        raise ParameterTypeError(f"shadows must be ShadowModels, got {type(shadows).__name__}")
    seed = check_positive_int(seed, "seed", minimum=0)
    scores = {}
    for output in API_OUTPUTS[:2]:
        seen = ShadowModels([APIView(m, output) for m in shadows.models], shadows.data, shadows.in_mask)
        scores[f"{output} (LiRA)"] = lira_online(APIView(target, output), candidates, seen).scores
    labels = api_response(target, candidates.images, "label only")
    scores["label only, 1 query"] = (labels == candidates.labels).astype(float)
    scores[f"label only, {n_queries} noisy queries"] = label_only_scores(target, candidates, noise_std=noise_std,
                                                                         n_queries=n_queries, rng=seed)
    rows = []
    for name, score in scores.items():
        m = attack_metrics(score, is_member)
        rows.append({"API returns": name, "AUC": m.auc, "AUC low": m.auc_ci[0], "AUC high": m.auc_ci[1],
                     "TPR@1%FPR": m.tpr_at_1pct_fpr, "TPR@1%FPR low": m.tpr_at_1pct_fpr_ci[0],
                     "TPR@1%FPR high": m.tpr_at_1pct_fpr_ci[1]})
    return pd.DataFrame(rows).set_index("API returns")
