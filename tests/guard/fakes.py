"""Small deterministic scanners and a policy builder for guard tests."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from raikit.guard.policy import Policy
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import ScannerRegistry, scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult, last_user_text, text_of


class Keyword:
    """Scores ``harm`` 0.9 when the word 'bomb' appears; redacts digits as ``pii.number``."""

    name = "keyword"

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = text_of(data)
        numbers = re.findall(r"\d{4,}", text)
        cats = {"harm.weapons": 0.9 if "bomb" in text.lower() else 0.0, "pii.number": 0.8 if numbers else 0.0}
        sanitized = re.sub(r"\d{4,}", "[NUMBER]", text) if numbers else None
        return ScanResult.from_scores(self.name, cats, sanitized=sanitized)

    def safe_prefix_length(self, text: str) -> int:
        match = re.search(r"\d+$", text)
        return match.start() if match else len(text)


class Decoder:
    """A stand-in obfuscation scanner: reverses text written backwards behind 'REV:'."""

    name = "obfuscation"

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        text = last_user_text(data)
        if text.startswith("REV:"):
            decoded = text[4:][::-1]
            return ScanResult.from_scores(
                self.name, {"obfuscation.encoding": 0.6}, decoded=[{"method": "reverse", "text": decoded}]
            )
        return ScanResult.clean(self.name)


class Broken:
    name = "broken"

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        raise RuntimeError("detector crashed")


class Slow:
    name = "slow"

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        time.sleep(0.05)
        return ScanResult.clean(self.name)


def _factory(cls: type, name: str, stages: tuple[str, ...] = ("input", "output")) -> Any:
    @scanner_factory(name, stages=stages, description=name)  # type: ignore[arg-type]
    def build(settings: Mapping[str, Any], resources: Resources) -> Any:
        return cls()

    return build


def fake_registry() -> ScannerRegistry:
    reg = ScannerRegistry(use_entry_points=False)
    for cls, name in ((Keyword, "keyword"), (Decoder, "obfuscation"), (Broken, "broken"), (Slow, "slow")):
        reg.register(_factory(cls, name))
    return reg


def make_policy(**overrides: Any) -> Policy:
    base: dict[str, Any] = {
        "name": "test",
        "input": {"scanners": ["obfuscation", "keyword"]},
        "output": {"scanners": ["keyword"]},
        "categories": {"pii.*": {"threshold": 0.5, "action": "redact"}, "obfuscation.*": {"action": "warn"}},
    }
    base.update(overrides)
    return Policy.model_validate(base)
