"""An on-disk cache for slow results (trained models, sweeps), keyed by all their inputs.

One location for everything: ``$PPML_LAB_CACHE`` or ``~/.cache/ppml_lab``; deleting it is
always safe. Keys include the package version, so results computed by older code are never
served. Writes are atomic (temporary file, then rename), so an interrupted run leaves every
finished entry intact and never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["cache_dir", "cache_key", "cached"]

T = TypeVar("T")


def cache_dir() -> Path:
    """The lab's cache folder (``PPML_LAB_CACHE`` or ``~/.cache/ppml_lab``); safe to delete."""
    return Path(os.environ.get("PPML_LAB_CACHE", Path.home() / ".cache" / "ppml_lab"))


def cache_key(namespace: str, inputs: dict[str, Any]) -> str:
    """A stable hex key from ``namespace``, ``inputs`` (JSON-serialisable) and the package version."""
    from . import __version__

    payload = json.dumps({"namespace": namespace, "version": __version__, "inputs": inputs},
                         sort_keys=True, default=repr)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def cached(namespace: str, inputs: dict[str, Any], compute: Callable[[], T], enabled: bool = True) -> T:
    """Return the cached result for (namespace, inputs), computing and storing it on a miss."""
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
