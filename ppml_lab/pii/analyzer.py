"""An offline Presidio analyzer: pattern recognizers on a blank spaCy English pipeline, plus our own recognizers.

Taught in ``notebooks/08_pii_and_anonymization.ipynb``. Nothing is downloaded: the NLP engine is ``spacy.blank("en")``
(a tokenizer, with lower-cased words as lemmas so Presidio's context words still work), the e-mail recognizer
checks top-level domains with a ``tldextract`` extractor that only reads its bundled suffix list, and a spaCy NER
model for names is plugged in only when one is installed (``ner_model="en_core_web_sm"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..validation import ParameterTypeError, check_one_of

__all__ = ["RECOGNIZER_SETS", "ENTITIES", "offline_tld_extractor", "employee_id_recognizer", "zip_recognizer",
           "make_analyzer", "analyze", "ner_model_installed"]

#: Which recognizers each configuration adds, in the order the lesson measures them.
RECOGNIZER_SETS = {"patterns": (), "patterns+zip": ("zip",), "patterns+zip+employee_id": ("zip", "employee_id")}
#: The entity types the offline analyzer can report.
ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "DATE_TIME", "IP_ADDRESS", "IBAN_CODE",
            "US_ZIP", "EMPLOYEE_ID", "PERSON")


@lru_cache(maxsize=1)
def offline_tld_extractor():
    """A ``tldextract.TLDExtract`` that never opens a socket: bundled suffix list, no cache directory."""
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def _offline_email_recognizer():
    """Presidio's e-mail recognizer with its domain check on :func:`offline_tld_extractor`."""
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return offline_tld_extractor()(pattern_text).fqdn != ""

    return OfflineEmailRecognizer()


def employee_id_recognizer():
    """A custom Presidio recognizer for internal employee IDs such as ``EMP-12345``."""
    from presidio_analyzer import Pattern, PatternRecognizer

    pattern = Pattern("employee id", r"\bEMP-\d{5}\b", 0.85)
    return PatternRecognizer(supported_entity="EMPLOYEE_ID", patterns=[pattern], context=["employee", "badge"],
                             name="EmployeeIdRecognizer")


def zip_recognizer():
    """US ZIP codes: five digits are weak evidence alone (score 0.3), stronger next to the word ZIP."""
    from presidio_analyzer import Pattern, PatternRecognizer

    return PatternRecognizer(supported_entity="US_ZIP", patterns=[Pattern("zip5", r"(?<![\w-])\d{5}(?![\w-])", 0.3)],
                             context=["zip", "postal"], name="UsZipRecognizer")


def _blank_engine():
    """Presidio's slim spaCy engine on ``spacy.blank("en")`` (tokens and lower-case lemmas; nothing to download)."""
    import spacy
    from presidio_analyzer.nlp_engine import SlimSpacyNlpEngine
    from spacy.language import Language

    if "ppml_lower_lemma" not in Language.factories:
        @Language.component("ppml_lower_lemma")
        def lower_lemma(doc):
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    class BlankEnglishEngine(SlimSpacyNlpEngine):
        def load(self) -> None:
            nlp = spacy.blank("en")
            nlp.add_pipe("ppml_lower_lemma")
            self.nlp = {"en": nlp}

    return BlankEnglishEngine(models=[{"lang_code": "en", "model_name": "blank:en"}], auto_download=False)


def ner_model_installed(model: str = "en_core_web_sm") -> bool:
    """Whether the spaCy model ``model`` is installed (the NER plug-in needs one; nothing is downloaded)."""
    import spacy

    if not isinstance(model, str) or not model:
        raise ParameterTypeError(f"model must be a spaCy model name (str), got {model!r}")
    return bool(spacy.util.is_package(model))


def _pattern_recognizers():
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        DateRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    return [_offline_email_recognizer(), PhoneRecognizer(), UsSsnRecognizer(), CreditCardRecognizer(),
            DateRecognizer(), IpRecognizer(), IbanRecognizer()]


def make_analyzer(recognizers: str = "patterns+zip+employee_id", ner_model: str | None = None):
    """A Presidio ``AnalyzerEngine`` that runs offline: the pattern recognizers plus those ``recognizers`` adds.

    ``ner_model`` (e.g. ``"en_core_web_sm"``) plugs spaCy's named-entity recognizer in for PERSON; it must be
    installed already (:func:`ner_model_installed`), since the lab never downloads one.
    """
    check_one_of(recognizers, RECOGNIZER_SETS, "recognizers")
    if ner_model is not None and not ner_model_installed(ner_model):
        raise ValueError(f"ner_model {ner_model!r} is not installed; install it (python -m spacy download "
                         f"{ner_model}) or pass ner_model=None for the offline configuration")
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    registry = RecognizerRegistry(supported_languages=["en"])
    extra = {"zip": zip_recognizer, "employee_id": employee_id_recognizer}
    for recognizer in [*_pattern_recognizers(), *(extra[name]() for name in RECOGNIZER_SETS[recognizers])]:
        registry.add_recognizer(recognizer)
    if ner_model is None:
        return AnalyzerEngine(registry=registry, nlp_engine=_blank_engine(), supported_languages=["en"])
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": ner_model}])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def analyze(analyzer, text: str, entities: Sequence[str] | None = None, score_threshold: float = 0.0) -> list:
    """Presidio's ``analyze`` on one English text, after checking the text and the entity types."""
    if not isinstance(text, str):
        raise ParameterTypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text must be a non-empty string, got an empty or blank text")
    if entities is not None:
        if isinstance(entities, str) or not isinstance(entities, Sequence):
            raise ParameterTypeError(f"entities must be a list of entity types, got {entities!r}")
        unknown = sorted(set(entities) - set(ENTITIES))
        if unknown:
            raise ValueError(f"entities holds unknown entity types {unknown}; known: {list(ENTITIES)}")
    if not hasattr(analyzer, "analyze"):
        raise ParameterTypeError(f"analyzer must be a presidio AnalyzerEngine, got {type(analyzer).__name__}")
    return analyzer.analyze(text=text, language="en", entities=list(entities) if entities else None,
                            score_threshold=score_threshold)
