"""PII detection and redaction with Presidio, offline: the analyzer, the labelled corpus, span-level evaluation
and the anonymizer's operators. Taught in ``notebooks/08_pii_and_anonymization.ipynb``.
"""

from .analyzer import (
                       ENTITIES,
                       RECOGNIZER_SETS,
                       analyze,
                       employee_id_recognizer,
                       make_analyzer,
                       ner_model_installed,
                       offline_tld_extractor,
                       zip_recognizer,
)
from .corpus import CORPUS_SHA256, Record, Span, load_corpus
from .evaluation import detect, match_spans, misses, score
from .operators import OPERATORS, anonymize, decrypt, encrypt, operator_config, redact_texts, salted_hash

__all__ = ["ENTITIES", "RECOGNIZER_SETS", "analyze", "employee_id_recognizer", "make_analyzer", "ner_model_installed",
           "offline_tld_extractor", "zip_recognizer", "CORPUS_SHA256", "Record", "Span", "load_corpus", "detect",
           "match_spans", "misses", "score", "OPERATORS", "anonymize", "decrypt", "encrypt", "operator_config",
           "redact_texts", "salted_hash"]
