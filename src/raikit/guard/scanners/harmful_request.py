"""Input rail scanner: harmful requests, multi-label over the raikit harm taxonomy.

Reads the user's latest turn with the ``harm`` classifier head (embedding of the text's encoder
view plus cue features; see ``raikit/guard/weights/MODEL_CARD.md``). Categories are harm
taxonomy ids (``violent_crimes``, ``cybercrime_malware``...) on the risk scale, where 0.5 is each
label's shipped operating point. The head's catch-all ``any`` label decides: its risk goes to the
most likely category and caps the others, so categories say why a request is flagged, and a
request that is clearly harmful but hard to place still fires.

Settings: ``threshold`` (risk at which the result is invalid, default 0.5) and ``thresholds``
(per-label probability thresholds replacing the shipped ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raikit.guard.classifier import HeadSettings, LinearHead, shared_head
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import Scanner, scanner_factory
from raikit.guard.training.data import HARM_LABELS
from raikit.guard.types import ScanContext, ScanInput, ScanResult, last_user_text

NAME = "harmful_request"


def harm_categories(
    head: LinearHead, settings: HeadSettings, text: str, *, screen: bool = False
) -> tuple[dict[str, float], dict[str, Any]]:
    """Harm-category risks of ``text`` (``any`` folded into the top category) and details.

    With ``screen`` (prompts only: the screen is validated on requests) a prompt the lexical
    screen finds confidently benign gets the screen's risk (under 0.5) in every category."""
    reading = head.assess(text, screen=screen and settings.screened)
    if reading.probs is None:
        assert reading.screen is not None
        risk = round(reading.screen.risk, 6)
        return {label: risk for label in head.labels if label != "any"}, {"screened": True, "any": risk}
    probs = reading.probs
    risks = settings.risks(head, probs)
    any_risk = risks.pop("any", 0.0)
    top = max((label for label in risks), key=lambda label: (probs[label], label))
    risks = {label: min(risk, any_risk) for label, risk in risks.items()}
    risks[top] = any_risk
    return risks, {"top_category": top, "any": round(any_risk, 6)}


class HarmfulRequestScanner:
    name = NAME

    def __init__(self, settings: Mapping[str, Any], resources: Resources) -> None:
        self.head = shared_head(resources, "harm")
        self.settings = HeadSettings.parse(NAME, settings, self.head.labels)

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = last_user_text(data)
        if not text.strip():
            return ScanResult.clean(NAME, reason="empty")
        risks, details = harm_categories(self.head, self.settings, text, screen=True)
        return ScanResult.from_scores(NAME, risks, threshold=self.settings.threshold, **details)


@scanner_factory(
    NAME,
    stages=("input",),
    description="Harmful requests in the user's turn, per harm category (multilingual classifier head).",
    categories=HARM_LABELS,
)
def harmful_request_scanner(settings: Mapping[str, Any], resources: Resources) -> Scanner:
    return HarmfulRequestScanner(settings, resources)
