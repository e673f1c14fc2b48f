"""Value types of the guardrails: what a scanner sees and what it returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.types import Message

Stage = Literal["input", "output"]
Action = Literal["allow", "warn", "redact", "block"]
ACTION_SEVERITY: dict[Action, int] = {"allow": 0, "warn": 1, "redact": 2, "block": 3}

ScanInput = str | Sequence[Message]


class DeniedTopic(BaseModel):
    """A topic the deployment must not discuss, matched semantically against its examples."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_\-]+$")
    description: str
    examples: tuple[str, ...] = Field(min_length=1)
    threshold: float = Field(default=0.6, ge=0.0, le=1.0)


class ScanContext(BaseModel):
    """Everything around the text being scanned.

    ``documents`` carries retrieved passages and tool outputs: they are scanned for indirect
    injection separately from the user's own turn.
    """

    model_config = ConfigDict(frozen=True)

    stage: Stage = "input"
    prompt: str | None = None
    system_prompt: str | None = None
    documents: tuple[str, ...] = ()
    canaries: tuple[str, ...] = ()
    denied_topics: tuple[DeniedTopic, ...] = ()
    languages: tuple[str, ...] = ()


class ScanResult(BaseModel):
    """A scanner's finding. ``risk`` is the largest category score; ``sanitized`` is set when changed."""

    model_config = ConfigDict(frozen=True)

    scanner: str
    valid: bool
    risk: float = Field(ge=0.0, le=1.0)
    categories: dict[str, float] = Field(default_factory=dict)
    sanitized: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def clean(cls, scanner: str, **details: Any) -> ScanResult:
        return cls(scanner=scanner, valid=True, risk=0.0, details=details)

    @classmethod
    def from_scores(
        cls,
        scanner: str,
        categories: dict[str, float],
        *,
        threshold: float = 0.5,
        sanitized: str | None = None,
        **details: Any,
    ) -> ScanResult:
        """Build a result from per-category scores in [0, 1] (clipped)."""
        scores = {k: min(1.0, max(0.0, float(v))) for k, v in categories.items()}
        risk = max(scores.values(), default=0.0)
        return cls(
            scanner=scanner,
            valid=risk < threshold,
            risk=risk,
            categories=scores,
            sanitized=sanitized,
            details=details,
        )


def text_of(data: ScanInput) -> str:
    """The text a scanner reads: the string itself, or the conversation's turns joined."""
    if isinstance(data, str):
        return data
    return "\n".join(m.content for m in data)


def last_user_text(data: ScanInput) -> str:
    """The user's own latest turn (what the input rail judges first)."""
    if isinstance(data, str):
        return data
    for message in reversed(list(data)):
        if message.role == "user":
            return message.content
    return ""
