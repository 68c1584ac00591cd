"""Span-level precision, recall and F1 per entity type, exact or overlapping, and the list of misses.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. A detected span is a true positive when a gold span of the
same entity type has the same boundaries (``exact``) or shares at least one character (``overlap``); each gold span
is matched at most once (the usual span-level scoring, as in CoNLL NER evaluation, Tjong Kim Sang and De Meulder
2003, and the relaxed variant of Presidio's evaluator).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..validation import ParameterTypeError, check_one_of
from .corpus import Record, Span

__all__ = ["MODES", "detect", "match_spans", "score", "misses"]

MODES = ("exact", "overlap")


def detect(analyzer, records: Sequence[Record], score_threshold: float = 0.0) -> list[tuple[Span, ...]]:
    """The spans ``analyzer`` finds in each record (overlapping detections of one type merged to the longest)."""
    from .analyzer import analyze

    if isinstance(records, (str, bytes)) or not isinstance(records, Sequence) or not records:
        raise ValueError(f"records must be a non-empty list of corpus Records, got {type(records).__name__}")
    found = []
    for record in records:
        results = analyze(analyzer, record.text, score_threshold=score_threshold)
        spans = sorted({Span(r.start, r.end, r.entity_type) for r in results}, key=lambda s: (s.start, -s.end))
        found.append(tuple(_drop_nested(spans)))
    return found


def _drop_nested(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in spans:
        if not any(k.entity == span.entity and k.start <= span.start and span.end <= k.end for k in kept):
            kept.append(span)
    return kept


def _same(gold: Span, found: Span, mode: str) -> bool:
    if gold.entity != found.entity:
        return False
    if mode == "exact":
        return (gold.start, gold.end) == (found.start, found.end)
    return gold.start < found.end and found.start < gold.end


def match_spans(gold: Sequence[Span], found: Sequence[Span], mode: str = "exact") -> tuple[list, list, list]:
    """(matched pairs, missed gold spans, spurious detections) for one text; each gold span matched once."""
    check_one_of(mode, MODES, "mode")
    unmatched, pairs, spurious = list(gold), [], []
    for span in found:
        partner = next((g for g in unmatched if _same(g, span, mode)), None)
        if partner is None:
            spurious.append(span)
        else:
            unmatched.remove(partner)
            pairs.append((partner, span))
    return pairs, unmatched, spurious


def _check_pairs(records: Sequence[Record], found: Sequence[Sequence[Span]]) -> None:
    if not isinstance(records, Sequence) or not isinstance(found, Sequence):
        raise ParameterTypeError("records and found must be lists (found: one list of spans per record)")
    if len(records) != len(found) or not records:
        raise ValueError(f"found must hold one list of spans per record: {len(found)} lists for {len(records)} records")


def score(records: Sequence[Record], found: Sequence[Sequence[Span]], mode: str = "exact") -> pd.DataFrame:
    """Per entity type: gold count, true positives, false positives, precision, recall and F1."""
    _check_pairs(records, found)
    check_one_of(mode, MODES, "mode")
    rows: dict[str, np.ndarray] = {}
    for record, spans in zip(records, found, strict=True):
        pairs, missed, spurious = match_spans(record.spans, spans, mode)
        for entity, column in [*((g.entity, 0) for g, _ in pairs), *((g.entity, 1) for g in missed),
                               *((s.entity, 2) for s in spurious)]:
            rows.setdefault(entity, np.zeros(3, dtype=int))[column] += 1
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["tp", "fn", "fp"]).sort_index()
    table.insert(0, "gold", table["tp"] + table["fn"])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["precision"] = table["tp"] / (table["tp"] + table["fp"])
        table["recall"] = table["tp"] / table["gold"]
        table["f1"] = 2 * table["tp"] / (2 * table["tp"] + table["fp"] + table["fn"])
    return table


def misses(records: Sequence[Record], found: Sequence[Sequence[Span]], mode: str = "overlap") -> pd.DataFrame:
    """Every gold span not found (missed) and every detection with no gold partner (spurious), with its text."""
    _check_pairs(records, found)
    rows = []
    for record, spans in zip(records, found, strict=True):
        _, missed, spurious = match_spans(record.spans, spans, mode)
        rows += [{"id": record.id, "kind": kind, "entity": s.entity, "text": record.text[s.start:s.end]}
                 for kind, group in (("missed", missed), ("spurious", spurious)) for s in group]
    return pd.DataFrame(rows, columns=["id", "kind", "entity", "text"])
