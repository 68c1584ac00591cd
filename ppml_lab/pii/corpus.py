"""The labelled PII evaluation corpus (``data/pii_corpus.jsonl``, made by ``scripts/make_pii_corpus.py``).

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. Provenance, licence and the same checksum: ``data/README.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..datasets import DATA_DIR, DatasetError, sha256
from ..validation import ParameterTypeError

__all__ = ["CORPUS_FILE", "CORPUS_SHA256", "Span", "Record", "load_corpus"]

CORPUS_FILE = "pii_corpus.jsonl"
CORPUS_SHA256 = "c5ed24d5dfdbb4695a0c8169ea113f537cd38e744a4fb26b7df4641601af9661"


@dataclass(frozen=True)
class Span:
    """One labelled (or detected) piece of PII: characters [start, end) of the text, and its entity type."""

    start: int
    end: int
    entity: str

    def __post_init__(self) -> None:
        if not (isinstance(self.start, int) and isinstance(self.end, int)) or not 0 <= self.start < self.end:
            raise ValueError(f"start and end must be integers with 0 <= start < end, got {self.start!r}, {self.end!r}")
        if not isinstance(self.entity, str) or not self.entity:
            raise ParameterTypeError(f"entity must be a non-empty str, got {self.entity!r}")


@dataclass(frozen=True)
class Record:
    """One free-text record with its gold PII spans."""

    id: str
    source: str
    text: str
    spans: tuple[Span, ...]


def load_corpus(data_dir: Path | None = None) -> list[Record]:
    """The corpus records, after checking the file's sha256 against :data:`CORPUS_SHA256`."""
    if data_dir is not None and not isinstance(data_dir, (str, Path)):
        raise ParameterTypeError(f"data_dir must be a str, a pathlib.Path or None, got {type(data_dir).__name__}")
    path = Path(data_dir or DATA_DIR) / CORPUS_FILE
    if not path.is_file():
        raise DatasetError(f"{path} is missing; regenerate it with `python scripts/make_pii_corpus.py`")
    if sha256(path) != CORPUS_SHA256:
        raise DatasetError(f"{path} does not match its checksum {CORPUS_SHA256}; regenerate it with "
                           "`python scripts/make_pii_corpus.py` or restore it with `git checkout -- data/`")
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        records.append(Record(raw["id"], raw["source"], raw["text"], tuple(Span(*s) for s in raw["spans"])))
    return records
