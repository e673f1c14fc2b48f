"""Output scanner: did the model refuse? Recorded for metrics; the default policy never blocks on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raikit.evals.judges.refusal import RefusalJudge
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult, text_of


class RefusalScanner:
    name = "refusal"

    def __init__(self) -> None:
        self.judge = RefusalJudge()

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        verdict = self.judge.judge(text_of(data), context.prompt)
        return ScanResult(
            scanner=self.name,
            valid=True,
            risk=verdict.score if verdict.refusal else 0.0,
            categories={"refusal": verdict.score if verdict.refusal else 0.0},
            details={"refusal": verdict.refusal},
        )


@scanner_factory(
    "refusal",
    stages=("output",),
    description="Refusal detection (multilingual phrase judge), for metrics and evaluation",
    categories=("refusal",),
)
def refusal_scanner(settings: Mapping[str, Any], resources: Resources) -> RefusalScanner:
    return RefusalScanner()
