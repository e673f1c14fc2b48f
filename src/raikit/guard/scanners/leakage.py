"""Output scanner: canary tokens and the system prompt leaking into an answer.

Canaries match exactly after folding case and whitespace. System-prompt leakage is measured
as the share of the system prompt's word 5-grams that reappear in the answer, so a paraphrase
of one sentence does not fire but a copied block does, even when lightly edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from raikit.guard.resources import Resources
from raikit.guard.scanners.base import scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult, text_of

_WORD = re.compile(r"\w+", re.UNICODE)
NGRAM = 5


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def system_prompt_overlap(answer: str, system_prompt: str, n: int = NGRAM) -> float:
    """Share of the system prompt's word n-grams found in the answer (0 when it is too short)."""
    source = _WORD.findall(system_prompt.casefold())
    if len(source) < n:
        folded = " ".join(source)
        return 1.0 if folded and folded in " ".join(_WORD.findall(answer.casefold())) else 0.0
    grams = _ngrams(source, n)
    found = grams & _ngrams(_WORD.findall(answer.casefold()), n)
    return len(found) / len(grams)


class LeakageScanner:
    name = "leakage"

    def __init__(self, *, overlap_full: float = 0.5, redaction: str = "[REDACTED]") -> None:
        self.overlap_full = overlap_full
        self.redaction = redaction

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = text_of(data)
        folded = _fold(text)
        categories: dict[str, float] = {}
        sanitized = text
        leaked = 0
        for canary in context.canaries:
            if canary and _fold(canary) in folded:
                leaked += 1
                sanitized = re.sub(re.escape(canary), self.redaction, sanitized, flags=re.IGNORECASE)
        if context.canaries:
            categories["leakage.canary"] = 1.0 if leaked else 0.0
        overlap = 0.0
        if context.system_prompt:
            overlap = system_prompt_overlap(text, context.system_prompt)
            categories["leakage.system_prompt"] = min(1.0, overlap / self.overlap_full)
        return ScanResult.from_scores(
            self.name,
            categories,
            sanitized=sanitized if sanitized != text else None,
            canaries_leaked=leaked,
            system_prompt_overlap=round(overlap, 4),
        )


@scanner_factory(
    "leakage",
    stages=("output",),
    description="Canary tokens and system-prompt text leaking into the answer",
    categories=("leakage.canary", "leakage.system_prompt"),
)
def leakage_scanner(settings: Mapping[str, Any], resources: Resources) -> LeakageScanner:
    return LeakageScanner(
        overlap_full=float(settings.get("overlap_full", 0.5)),
        redaction=str(settings.get("redaction", "[REDACTED]")),
    )
