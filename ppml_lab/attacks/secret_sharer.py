"""The Secret Sharer on text (Carlini et al. 2019): a character-level model memorises a planted SSN.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. We plant a canary sentence ``"SSN 281-63-9475"`` in a few
clinical notes, train a small character-level model (an MLP on the previous ``context`` characters, Bengio et al.
2003) on the notes, and rank the canary's log-perplexity among ``n_references`` random SSNs of the same format
given the same prefix. Exposure (bits) = log2(candidates) - log2(rank), computed by
:func:`ppml_lab.attacks.canary.exposure`: about log2(R + 1) when the canary is the most likely of all (memorised),
about 1 / ln 2 = 1.44 bits on average when the model knows nothing about it. Redacting the notes before training
(``ppml_lab.pii.operators``) removes the canary from the data, so it cannot be memorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..cache import cached
from ..seeding import as_rng
from ..training import fit
from ..validation import ParameterTypeError, check_positive_int
from .canary import exposure

__all__ = ["CharMLP", "plant_text_canary", "random_secrets", "train_char_model", "log_perplexity",
           "ExposureResult", "text_canary_exposure"]


class CharMLP(nn.Module):
    """Next-character model: embed the previous ``context`` characters, one hidden layer, logits over the vocabulary."""

    def __init__(self, vocab_size: int, context: int = 10, embedding: int = 16, hidden: int = 128) -> None:
        super().__init__()
        for value, name in ((vocab_size, "vocab_size"), (context, "context"), (embedding, "embedding"),
                            (hidden, "hidden")):
            check_positive_int(value, name)
        self.context = context
        self.embed = nn.Embedding(vocab_size, embedding)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(context * embedding, hidden), nn.Tanh(),
                                 nn.Linear(hidden, vocab_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.embed(x))


def _check_texts(texts: object, name: str = "texts") -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not texts:
        raise ValueError(f"{name} must be a non-empty list of strings, got {type(texts).__name__}")
    if not all(isinstance(t, str) for t in texts):
        raise ParameterTypeError(f"{name} must hold only strings")
    return list(texts)


def plant_text_canary(texts: Sequence[str], canary: str, copies: int, rng: np.random.Generator | int | None = 0
                      ) -> list[str]:
    """``texts`` with `` canary`` appended to ``copies`` of them, chosen at random (seeded)."""
    texts = _check_texts(texts)
    if not isinstance(canary, str) or not canary.strip():
        raise ValueError(f"canary must be a non-empty string, got {canary!r}")
    copies = check_positive_int(copies, "copies")
    if copies > len(texts):
        raise ValueError(f"copies must be an integer in [1, {len(texts)}] (one per text at most), got {copies}")
    chosen = set(as_rng(rng).choice(len(texts), size=copies, replace=False).tolist())
    return [f"{t} {canary}" if i in chosen else t for i, t in enumerate(texts)]


def random_secrets(count: int, rng: np.random.Generator | int | None = 0) -> list[str]:
    """``count`` random SSN-shaped strings ``ddd-dd-dddd`` (the reference candidates)."""
    count = check_positive_int(count, "count")
    digits = as_rng(rng).integers(0, 10, size=(count, 9))
    return ["{}{}{}-{}{}-{}{}{}{}".format(*row) for row in digits]


def _windows(texts: list[str], vocab: dict[str, int], context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(previous ``context`` characters, next character) for every position, texts padded on the left with \\0."""
    xs, ys = [], []
    for text in texts:
        codes = [0] * context + [vocab[c] for c in text] + [0]
        array = np.asarray(codes, dtype=np.int64)
        view = np.lib.stride_tricks.sliding_window_view(array[:-1], context)
        xs.append(view)
        ys.append(array[context:])
    return torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(ys))


def train_char_model(texts: Sequence[str], extra_chars: str = "0123456789-", context: int = 10, epochs: int = 8,
                     seed: int = 0) -> tuple[CharMLP, dict[str, int]]:
    """Train a :class:`CharMLP` on ``texts`` with the lab's :func:`ppml_lab.training.fit` (Adam, batch 512)."""
    texts = _check_texts(texts)
    context, epochs = check_positive_int(context, "context"), check_positive_int(epochs, "epochs")
    seed = check_positive_int(seed, "seed", minimum=0)
    vocab = {c: i + 1 for i, c in enumerate(sorted(set("".join(texts)) | set(extra_chars)))}
    x, y = _windows(texts, vocab, context)
    torch.manual_seed(seed)
    model = CharMLP(len(vocab) + 1, context)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=512, shuffle=True,
                                         generator=torch.Generator().manual_seed(seed))
    fit(model, loader, torch.optim.Adam(model.parameters(), lr=3e-3), epochs)
    return model.eval(), vocab


def log_perplexity(model: CharMLP, vocab: dict[str, int], prefix: str, secrets: Sequence[str]) -> np.ndarray:
    """Negative log2-likelihood (bits) of each secret following ``prefix`` (Carlini et al. 2019, Def. 1)."""
    secrets = _check_texts(secrets, "secrets")
    if not isinstance(prefix, str):
        raise ParameterTypeError(f"prefix must be a str, got {type(prefix).__name__}")
    unknown = sorted(set(prefix + "".join(secrets)) - set(vocab))
    if unknown:
        raise ValueError(f"prefix and secrets use characters {unknown} outside the model's vocabulary")
    context = model.context
    head = [0] * context + [vocab[c] for c in prefix]
    rows = [head + [vocab[c] for c in s] for s in secrets]
    length = len(secrets[0])
    codes = torch.tensor(rows, dtype=torch.int64)
    start = len(head)
    windows = torch.stack([codes[:, start + j - context:start + j] for j in range(length)], dim=1)
    with torch.no_grad():
        logp = torch.log_softmax(model(windows.reshape(-1, context)), dim=-1).reshape(len(secrets), length, -1)
    targets = codes[:, start:start + length]
    return -(logp.gather(2, targets[..., None]).squeeze(-1).sum(dim=1) / np.log(2)).double().numpy()


@dataclass(frozen=True)
class ExposureResult:
    """Exposure (bits) of the planted secret, its rank among the candidates, and how many candidates."""

    exposure: float
    rank: int
    candidates: int
    canary_bits: float


def text_canary_exposure(texts: Sequence[str], prefix: str, secret: str, n_references: int = 999,
                         epochs: int = 8, seed: int = 0) -> ExposureResult:
    """Train on ``texts`` (seeded) and measure the exposure of ``prefix + secret`` among random secrets (cached)."""
    texts = _check_texts(texts)
    n_references = check_positive_int(n_references, "n_references")
    references = [s for s in random_secrets(n_references + 1, rng=seed + 1) if s != secret][:n_references]

    def compute() -> ExposureResult:
        model, vocab = train_char_model(texts, epochs=epochs, seed=seed)
        bits = log_perplexity(model, vocab, prefix, [secret, *references])
        value = float(exposure(bits[:1], bits[None, 1:])[0])
        rank = int(1 + (bits[1:] <= bits[0]).sum())
        return ExposureResult(exposure=value, rank=rank, candidates=len(references) + 1, canary_bits=float(bits[0]))

    inputs = {"texts": texts, "prefix": prefix, "secret": secret, "n_references": n_references, "epochs": epochs,
              "seed": seed, "version": 2}
    return cached("text_canary_exposure", inputs, compute)
