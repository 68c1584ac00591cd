"""What to put in place of the PII found: replace, mask, salted hash, reversible encryption (Presidio's anonymizer).

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. :func:`salted_hash` is the short teaching version of
Presidio's ``hash`` operator (SHA-256 of the value followed by the salt; a test checks they agree). Why the salt:
a phone number has about 10^10 possible values, so anyone can hash them all and look an unsalted hash up in a
table; with a secret salt of 16+ bytes they cannot. ``encrypt`` (Presidio: AES-CBC from ``cryptography``, random
IV) is reversible by whoever holds the key; that is pseudonymisation, not anonymisation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..validation import ParameterTypeError, check_one_of

__all__ = ["OPERATORS", "salted_hash", "operator_config", "anonymize", "encrypt", "decrypt", "redact_texts"]

OPERATORS = ("replace", "mask", "hash", "encrypt")


def salted_hash(value: str, salt: bytes) -> str:
    """Hex SHA-256 of ``value`` (UTF-8) followed by ``salt``: what Presidio's ``hash`` operator computes."""
    if not isinstance(value, str):
        raise ParameterTypeError(f"value must be a str, got {type(value).__name__}")
    if not isinstance(salt, bytes) or len(salt) < 16:
        raise ValueError(f"salt must be bytes of length >= 16 (Presidio's minimum), got {salt!r}")
    return hashlib.sha256(value.encode() + salt).hexdigest()


def _check_key(key: object) -> bytes:
    if not isinstance(key, bytes) or len(key) not in (16, 24, 32):
        raise ValueError(f"key must be 16, 24 or 32 bytes (AES-128/192/256), got {key!r}")
    return key


def operator_config(operator: str, *, salt: bytes | None = None, key: bytes | None = None):
    """Presidio's ``OperatorConfig`` for ``operator`` (``hash`` needs ``salt``, ``encrypt`` needs ``key``)."""
    from presidio_anonymizer.entities import OperatorConfig

    check_one_of(operator, OPERATORS, "operator")
    if operator == "replace":
        return OperatorConfig("replace")  # "<ENTITY_TYPE>"
    if operator == "mask":
        return OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 100, "from_end": False})
    if operator == "hash":
        if not isinstance(salt, bytes) or len(salt) < 16:
            raise ValueError(f"salt must be bytes of length >= 16 for operator='hash', got {salt!r}")
        return OperatorConfig("hash", {"hash_type": "sha256", "salt": salt})
    return OperatorConfig("encrypt", {"key": _check_key(key)})


def anonymize(text: str, results: Sequence, operator: str = "replace", *, salt: bytes | None = None,
              key: bytes | None = None) -> str:
    """``text`` with every analyzer result replaced by ``operator`` (Presidio's ``AnonymizerEngine``)."""
    from presidio_anonymizer import AnonymizerEngine

    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string, got an empty or blank text")
    config = operator_config(operator, salt=salt, key=key)
    if isinstance(results, (str, bytes)) or not isinstance(results, Sequence):
        raise ParameterTypeError(f"results must be a list of analyzer results, got {type(results).__name__}")
    return AnonymizerEngine().anonymize(text=text, analyzer_results=list(results),
                                        operators={"DEFAULT": config}).text


def encrypt(text: str, results: Sequence, key: bytes):
    """Presidio's ``encrypt`` on every result: its ``EngineResult`` (the text and the spans, for :func:`decrypt`)."""
    from presidio_anonymizer import AnonymizerEngine

    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string, got an empty or blank text")
    config = operator_config("encrypt", key=key)
    return AnonymizerEngine().anonymize(text=text, analyzer_results=list(results), operators={"DEFAULT": config})


def decrypt(encrypted, key: bytes) -> str:
    """The original text back from :func:`encrypt`'s result, with the same AES ``key`` (Presidio's deanonymizer)."""
    from presidio_anonymizer import DeanonymizeEngine
    from presidio_anonymizer.entities import EngineResult, OperatorConfig

    _check_key(key)
    if not isinstance(encrypted, EngineResult):
        raise ParameterTypeError(f"encrypted must be the EngineResult that encrypt returned, got "
                                 f"{type(encrypted).__name__}")
    return DeanonymizeEngine().deanonymize(text=encrypted.text, entities=encrypted.items,
                                           operators={"DEFAULT": OperatorConfig("decrypt", {"key": key})}).text


def redact_texts(analyzer, texts: Sequence[str], entities: Sequence[str] | None = None) -> list[str]:
    """Each text with the PII ``analyzer`` finds replaced by ``<ENTITY_TYPE>`` (a text with none is kept)."""
    from .analyzer import analyze

    if isinstance(texts, str) or not isinstance(texts, Sequence) or not texts:
        raise ValueError(f"texts must be a non-empty list of strings, got {type(texts).__name__}")
    out = []
    for text in texts:
        results = analyze(analyzer, text, entities)
        out.append(anonymize(text, results, "replace") if results else text)
    return out
