"""Input rail scanner: jailbreaks and direct prompt injection in the user's turn.

Reads the user's latest turn with the ``jailbreak`` classifier head, which scores a head-and-tail
view of the text (where jailbreak templates and the actual request sit) and cue features over the
whole text (instruction override, role play, "no restrictions" talk, chat-template markers...).
Categories ``jailbreak`` and ``prompt_injection`` on the risk scale (0.5 = shipped operating
point). Settings: ``threshold`` and ``thresholds`` as for every classifier scanner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raikit.guard.classifier import HeadSettings, shared_head
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import Scanner, scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult, last_user_text

NAME = "jailbreak"
CATEGORIES = ("jailbreak", "prompt_injection")


class JailbreakScanner:
    name = NAME

    def __init__(self, settings: Mapping[str, Any], resources: Resources) -> None:
        self.head = shared_head(resources, "jailbreak")
        self.settings = HeadSettings.parse(NAME, settings, self.head.labels)

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = last_user_text(data)
        if not text.strip():
            return ScanResult.clean(NAME, reason="empty")
        reading = self.head.assess(text, screen=self.settings.screened)
        if reading.probs is None:
            assert reading.screen is not None
            risk = round(reading.screen.risk, 6)
            return ScanResult.from_scores(
                NAME, dict.fromkeys(self.head.labels, risk), threshold=self.settings.threshold, screened=True
            )
        risks = self.settings.risks(self.head, reading.probs)
        return ScanResult.from_scores(NAME, risks, threshold=self.settings.threshold)


@scanner_factory(
    NAME,
    stages=("input",),
    description="Jailbreak prompts and direct prompt injection in the user's turn (classifier head).",
    categories=CATEGORIES,
)
def jailbreak_scanner(settings: Mapping[str, Any], resources: Resources) -> Scanner:
    return JailbreakScanner(settings, resources)
