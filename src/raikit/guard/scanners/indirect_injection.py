"""Input rail scanner: instructions hidden in retrieved documents and tool outputs.

Scans each of ``context.documents`` separately (never the user's turn, and at the output stage
nothing but the documents either) with the ``injection_context`` classifier head, which scores
overlapping chunks of a document and keeps the worst. Category ``indirect_injection`` is the
highest document risk; ``details`` give the indices of the flagged documents and their risks,
never their text. Settings: ``threshold``, ``thresholds`` and ``max_documents`` (default 64;
documents beyond it are counted in ``details["skipped_documents"]``, not scanned).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raikit.guard.classifier import HeadSettings, ScannerSettingsError, shared_head
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import Scanner, scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult

NAME = "indirect_injection"
CATEGORY = "indirect_injection"


class IndirectInjectionScanner:
    name = NAME

    def __init__(self, settings: Mapping[str, Any], resources: Resources) -> None:
        self.head = shared_head(resources, "injection_context")
        self.settings = HeadSettings.parse(NAME, settings, self.head.labels)
        try:
            self.max_documents = int(settings.get("max_documents", 64))
        except (TypeError, ValueError) as exc:
            raise ScannerSettingsError(f"scanner {NAME!r}: max_documents must be an integer") from exc

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        documents = list(context.documents[: self.max_documents])
        skipped = max(0, len(context.documents) - self.max_documents)
        scanned = [i for i, doc in enumerate(documents) if doc.strip()]
        if not scanned:
            return ScanResult.clean(NAME, documents=0, skipped_documents=skipped)
        probs = self.head.predict([documents[i] for i in scanned])[CATEGORY]
        risks = [self.settings.risks(self.head, {CATEGORY: float(p)})[CATEGORY] for p in probs]
        flagged = [i for i, r in zip(scanned, risks, strict=True) if r >= self.settings.threshold]
        worst = max(range(len(scanned)), key=lambda k: (risks[k], -k))
        return ScanResult.from_scores(
            NAME,
            {CATEGORY: risks[worst]},
            threshold=self.settings.threshold,
            documents=len(scanned),
            skipped_documents=skipped,
            flagged_documents=flagged,
            worst_document=scanned[worst],
            document_risks={str(i): round(r, 6) for i, r in zip(scanned, risks, strict=True)},
        )


@scanner_factory(
    NAME,
    stages=("input", "output"),
    description="Instructions injected into retrieved documents and tool outputs, each scanned separately.",
    categories=(CATEGORY,),
)
def indirect_injection_scanner(settings: Mapping[str, Any], resources: Resources) -> Scanner:
    return IndirectInjectionScanner(settings, resources)
