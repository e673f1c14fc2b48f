"""The guard pipeline: run a policy's scanners on one stage and decide allow, warn, redact or block.

Input rail: the obfuscation scanner runs first; when it decodes or normalises something, the
other scanners also judge each decoded variant and the worst score per category counts. A
scanner that raises, or runs past ``scanner_timeout_ms``, follows the policy's fail mode:
``closed`` turns it into a blocking ``scanner_error.<name>`` category, ``open`` ignores it.
Either way the result names the failed scanner.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.errors import RaikitError
from raikit.core.types import Message
from raikit.guard.policy import Policy, load_policy
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import Scanner, ScannerRegistry, default_scanner_registry
from raikit.guard.types import Action, ScanContext, ScanInput, ScanResult, Stage, last_user_text, text_of

MAX_VARIANTS = 5


class InputTooLargeError(RaikitError):
    """The text is over the policy's ``max_text_bytes``: refused, never truncated silently."""


class ScannerReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    risk: float
    latency_ms: float
    error: str | None = None


class RailResult(BaseModel):
    """The decision of one rail. ``to_contract()`` gives the public JSON fields."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    allowed: bool
    action: Action
    risk: float
    categories: dict[str, float]
    fired: dict[str, Action] = Field(default_factory=dict)
    sanitized: str | None = None
    scanners: list[ScannerReport] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)
    latency_ms: float = 0.0
    redactors: list[str] = Field(default_factory=list)
    """Scanners whose fired categories say ``redact``: re-applied to streamed segments."""

    def to_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "allowed": self.allowed,
            "risk": round(self.risk, 6),
            "categories": {k: round(v, 6) for k, v in sorted(self.categories.items())},
            "action": self.action,
        }
        if self.sanitized is not None:
            out["sanitized"] = self.sanitized
        if self.failed:
            out["failed_scanners"] = list(self.failed)
        return out


class Guard:
    """Runs a policy. Scanners are built on first use and shared across calls (thread-safe use
    depends on the scanners, which are stateless apart from their caches)."""

    def __init__(
        self,
        policy: Policy | str = "default",
        *,
        registry: ScannerRegistry | None = None,
        resources: Resources | None = None,
    ) -> None:
        self.policy = load_policy(policy) if isinstance(policy, str) else policy
        self.registry = registry or default_scanner_registry()
        self.resources = resources or Resources()
        self._scanners: dict[str, Scanner] = {}

    def scanner(self, name: str) -> Scanner:
        if name not in self._scanners:
            settings = self.policy.scanner_settings.get(name, {})
            self._scanners[name] = self.registry.create(name, settings, self.resources)
        return self._scanners[name]

    def warm_up(self) -> None:
        """Build every scanner of both stages and run each once (loads models before traffic)."""
        self.scan_input("warm up")
        self.scan_output("warm up", prompt="warm up")

    # -- public API ------------------------------------------------------------------------------
    def scan_input(self, data: ScanInput, context: ScanContext | None = None) -> RailResult:
        return self.scan(data, "input", context)

    def scan_output(
        self, text: str, *, prompt: str | None = None, context: ScanContext | None = None
    ) -> RailResult:
        base = context or ScanContext(stage="output")
        return self.scan(text, "output", base.model_copy(update={"prompt": prompt or base.prompt}))

    def scan(self, data: ScanInput, stage: Stage, context: ScanContext | None = None) -> RailResult:
        start = time.perf_counter()
        text = text_of(data)
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > self.policy.max_text_bytes:
            raise InputTooLargeError(
                f"text is {size} bytes, over the policy limit of {self.policy.max_text_bytes} bytes"
            )
        ctx = self._context(context, stage)
        names = self.policy.scanners_for(stage)
        reports: list[ScannerReport] = []
        failed: list[str] = []
        categories: dict[str, float] = {}
        results: dict[str, ScanResult] = {}

        variants: list[ScanInput] = [data]
        ordered = sorted(names, key=lambda n: n != "obfuscation")
        for name in ordered:
            for index, variant in enumerate(variants if name != "obfuscation" else [data]):
                result, report = self._run(name, variant, ctx)
                if index == 0:
                    reports.append(report)
                if report.error is not None:
                    if name not in failed:
                        failed.append(name)
                    if self.policy.fail_mode == "closed":
                        categories[f"scanner_error.{name}"] = 1.0
                    break
                assert result is not None
                if index == 0:
                    results[name] = result
                for category, score in result.categories.items():
                    categories[category] = max(score, categories.get(category, 0.0))
            if name == "obfuscation" and name in results:
                variants.extend(self._variants(results[name], data))

        action, fired = self.policy.decide(categories)
        redactors = [
            name
            for name, result in results.items()
            if result.sanitized is not None and any(fired.get(c) == "redact" for c in result.categories)
        ]
        sanitized = None
        if action == "redact" and redactors:
            current = text_of(data) if isinstance(data, str) else last_user_text(data)
            sanitized = self.redact(current, redactors, ctx)
        return RailResult(
            stage=stage,
            allowed=action != "block",
            action=action,
            risk=max(categories.values(), default=0.0),
            categories=categories,
            fired=fired,
            sanitized=sanitized,
            scanners=reports,
            failed=failed,
            latency_ms=(time.perf_counter() - start) * 1000.0,
            redactors=redactors,
        )

    # -- internals -------------------------------------------------------------------------------
    def _context(self, context: ScanContext | None, stage: Stage) -> ScanContext:
        ctx = context or ScanContext(stage=stage)
        return ctx.model_copy(
            update={
                "stage": stage,
                "canaries": tuple(dict.fromkeys((*ctx.canaries, *self.policy.canaries))),
                "denied_topics": ctx.denied_topics or self.policy.denied_topics,
                "languages": ctx.languages or self.policy.languages,
            }
        )

    def _run(self, name: str, data: ScanInput, ctx: ScanContext) -> tuple[ScanResult | None, ScannerReport]:
        start = time.perf_counter()
        try:
            result = self.scanner(name).scan(data, ctx)
        except RaikitError:
            raise
        except Exception as exc:  # a detector failure must not take the rail down
            elapsed = (time.perf_counter() - start) * 1000.0
            return None, ScannerReport(name=name, risk=1.0, latency_ms=elapsed, error=type(exc).__name__)
        elapsed = (time.perf_counter() - start) * 1000.0
        if elapsed > self.policy.scanner_timeout_ms:
            error = f"timeout after {elapsed:.0f} ms"
            return None, ScannerReport(name=name, risk=1.0, latency_ms=elapsed, error=error)
        return result, ScannerReport(name=name, risk=result.risk, latency_ms=elapsed)

    def _variants(self, result: ScanResult, data: ScanInput) -> list[ScanInput]:
        """Normalised and decoded texts found by the obfuscation scanner, to be judged again."""
        texts: list[str] = []
        if result.sanitized:
            texts.append(result.sanitized)
        for item in result.details.get("decoded", []):
            decoded = item.get("text") if isinstance(item, dict) else None
            if isinstance(decoded, str) and decoded.strip():
                texts.append(decoded)
        original = last_user_text(data)
        unique = [t for t in dict.fromkeys(texts) if t != original][:MAX_VARIANTS]
        if isinstance(data, str):
            return list(unique)
        return [_replace_last_user(data, t) for t in unique]

    def redact(self, text: str, redactors: Sequence[str], context: ScanContext | None = None) -> str:
        """Apply the redactions of ``redactors`` (scanner names) to ``text``, one after another."""
        ctx = context or ScanContext()
        current = text
        for name in redactors:
            again = self.scanner(name).scan(current, ctx)
            if again.sanitized is not None:
                current = again.sanitized
        return current

    def safe_release_length(self, text: str, stage: Stage = "output") -> int:
        """How much of a growing text can be released without cutting an entity a redactor would
        need whole: the minimum over scanners that offer ``safe_prefix_length``."""
        limit = len(text)
        for name in self.policy.scanners_for(stage):
            measure = getattr(self.scanner(name), "safe_prefix_length", None)
            if callable(measure):
                limit = min(limit, int(measure(text)))
        return limit


def _replace_last_user(messages: Sequence[Message], text: str) -> list[Message]:
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        if out[i].role == "user":
            out[i] = out[i].model_copy(update={"content": text})
            break
    return out
