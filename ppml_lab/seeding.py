"""One call that makes a notebook or experiment reproducible.

Taught in ``notebooks/01_laplace_mechanism.ipynb`` (first cell of every notebook).
"""

from __future__ import annotations

import os
import random

import numpy as np

from .validation import ParameterTypeError, check_positive_int

__all__ = ["DEFAULT_SEED", "seed_everything", "as_rng", "crypto_rng", "random_bytes"]

DEFAULT_SEED = 2024


def seed_everything(seed: int = DEFAULT_SEED, torch_threads: int | None = 1) -> np.random.Generator:
    """Seed Python, NumPy and torch (if installed) and return a fresh NumPy ``Generator``.

    The package itself never touches a global seed: its functions take ``rng`` or ``seed``.
    This helper is for the top of a notebook or script, so that library code that *does*
    use global state (torch initialisers, DataLoader shuffling) is reproducible too.
    ``torch_threads=1`` (the default) also fixes torch's CPU thread count: float reductions
    can round differently with another count, so a notebook then reproduces bit for bit on
    any machine; the lab's models are small enough that one thread costs little
    (``None`` leaves torch's setting alone). The environment variable ``PPML_LAB_TORCH_THREADS``
    overrides ``torch_threads``: ``make test`` sets it in its cross-machine pass, to prove that what a
    notebook prints does not depend on the thread count.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ParameterTypeError(f"seed must be a non-negative integer, got {seed!r} of type {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if torch_threads is not None:
        check_positive_int(torch_threads, "torch_threads")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # torch is a dependency, but keep seeding usable without it
        pass
    else:
        torch.manual_seed(seed)
        torch_threads = int(os.environ.get("PPML_LAB_TORCH_THREADS", 0)) or torch_threads
        if torch_threads is not None:
            torch.set_num_threads(torch_threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)


def as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Turn ``rng`` (a Generator, a seed, or None for fresh entropy) into a ``Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng must be a numpy Generator, a non-negative integer seed or None, got {rng!r}")
        return np.random.default_rng(rng)
    raise ParameterTypeError(f"rng must be a numpy Generator, an integer seed or None, got {type(rng).__name__}")


def crypto_rng(rng: np.random.Generator | int | None) -> np.random.Generator | None:
    """For the cryptographic lessons: None stays None (the OS CSPRNG, ``secrets``/``os.urandom``, in real use);
    a Generator or a seed gives a reproducible lesson or test."""
    return None if rng is None else as_rng(rng)


def random_bytes(count: int, rng: np.random.Generator | None) -> bytes:
    """``count`` random bytes: from ``rng`` (teaching, tests) or, if None, the OS CSPRNG (``os.urandom``)."""
    count = check_positive_int(count, "count", minimum=0)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ParameterTypeError(f"rng must be a numpy Generator or None (the OS CSPRNG), got {type(rng).__name__}")
    return os.urandom(count) if rng is None else rng.bytes(count)
