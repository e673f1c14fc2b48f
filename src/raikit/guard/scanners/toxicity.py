"""Output rail scanner: toxic or hateful content, and harmful instructions, in the model's answer.

Reads the response (or, at the input stage, the user's latest turn) with the ``toxicity``
classifier head (overlapping chunks, worst one counts) for ``toxicity`` and ``hate_speech``, and
with the ``harm`` head for the harm taxonomy ids, so an answer that itself carries harmful
instructions fires under its harm category (``harm_categories: false`` turns that off). Risks
are on the usual scale (0.5 = shipped operating point). Settings: ``threshold``, ``thresholds``
(for the toxicity labels), ``harm_thresholds`` (for the harm labels) and ``harm_categories``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raikit.guard.classifier import HeadSettings, shared_head
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import Scanner, scanner_factory
from raikit.guard.scanners.harmful_request import harm_categories
from raikit.guard.training.data import HARM_LABELS
from raikit.guard.types import ScanContext, ScanInput, ScanResult, last_user_text, text_of

NAME = "toxicity"
CATEGORIES = ("toxicity", "hate_speech")


class ToxicityScanner:
    name = NAME

    def __init__(self, settings: Mapping[str, Any], resources: Resources) -> None:
        self.head = shared_head(resources, "toxicity")
        self.settings = HeadSettings.parse(NAME, settings, self.head.labels)
        self.use_harm = bool(settings.get("harm_categories", True))
        self.harm = shared_head(resources, "harm") if self.use_harm else None
        harm_settings = {"threshold": self.settings.threshold, "thresholds": settings.get("harm_thresholds")}
        self.harm_settings = HeadSettings.parse(NAME, harm_settings, self.harm.labels if self.harm else ())

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = text_of(data) if context.stage == "output" else last_user_text(data)
        if not text.strip():
            return ScanResult.clean(NAME, reason="empty")
        risks = self.settings.risks(self.head, self.head.predict_one(text))
        details: dict[str, Any] = {}
        if self.harm is not None:
            harm, details = harm_categories(self.harm, self.harm_settings, text)
            for label, risk in harm.items():
                risks[label] = max(risk, risks.get(label, 0.0))
        return ScanResult.from_scores(NAME, risks, threshold=self.settings.threshold, **details)


@scanner_factory(
    NAME,
    stages=("output", "input"),
    description="Toxic or hateful content and harmful instructions in the model's answer (classifier heads).",
    categories=(*CATEGORIES, *HARM_LABELS),
)
def toxicity_scanner(settings: Mapping[str, Any], resources: Resources) -> Scanner:
    return ToxicityScanner(settings, resources)
