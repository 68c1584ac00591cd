"""An on-disk cache for slow results (trained models, sweeps), keyed by all their inputs.

One location for everything: ``$PPML_LAB_CACHE`` or ``~/.cache/ppml_lab``; deleting it is
always safe. Keys include the package version and a fingerprint of the package's source code, so
results computed by other code are never served (after a ``git pull`` a teacher's warm cache would
otherwise reproduce yesterday's numbers). Writes are atomic (temporary file, then rename), so an
interrupted run leaves every finished entry intact and never a half-written one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .validation import ParameterTypeError

__all__ = ["cache_dir", "code_fingerprint", "data_fingerprint", "cache_key", "cached"]

T = TypeVar("T")


def cache_dir() -> Path:
    """The lab's cache folder (``PPML_LAB_CACHE`` or ``~/.cache/ppml_lab``); safe to delete."""
    return Path(os.environ.get("PPML_LAB_CACHE", Path.home() / ".cache" / "ppml_lab"))


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A short hash of every ``.py`` file of the package (computed once per process)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def data_fingerprint(*arrays: np.ndarray) -> str:
    """A short hash of arrays' contents (e.g. a dataset's images and labels), to key what was computed from them."""
    if not arrays or not all(isinstance(array, np.ndarray) for array in arrays):
        raise ParameterTypeError(f"arrays must be one or more numpy arrays, got "
                                 f"{[type(array).__name__ for array in arrays]}")
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def _check_key_parts(namespace: str, inputs: dict[str, Any]) -> None:
    if not isinstance(namespace, str) or not namespace or "/" in namespace or namespace.startswith("."):
        raise ValueError(f"namespace must be a non-empty folder name (no '/', not starting with '.'), "
                         f"got {namespace!r}")
    if not isinstance(inputs, dict):
        raise ParameterTypeError(f"inputs must be a dict of the inputs that determine the result, "
                                 f"got {type(inputs).__name__}")


def cache_key(namespace: str, inputs: dict[str, Any]) -> str:
    """A stable hex key from ``namespace``, ``inputs`` (JSON-serialisable), the package version and its code."""
    from . import __version__

    _check_key_parts(namespace, inputs)
    payload = json.dumps({"namespace": namespace, "version": __version__, "code": code_fingerprint(),
                          "inputs": inputs}, sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def cached(namespace: str, inputs: dict[str, Any], compute: Callable[[], T], enabled: bool = True) -> T:
    """Return the cached result for (namespace, inputs), computing and storing it on a miss."""
    _check_key_parts(namespace, inputs)
    if not callable(compute):
        raise ParameterTypeError(f"compute must be a function of no arguments, got {type(compute).__name__}")
    if not isinstance(enabled, bool):
        raise ParameterTypeError(f"enabled must be True or False, got {enabled!r}")
    if not enabled:
        return compute()
    path = cache_dir() / namespace / f"{cache_key(namespace, inputs)}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except (EOFError, pickle.UnpicklingError):
            path.unlink(missing_ok=True)  # a corrupt entry is recomputed, not trusted
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(result, handle)
    os.replace(tmp, path)
    return result
