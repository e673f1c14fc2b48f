"""Value types shared by every raikit module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]


class Message(BaseModel):
    """One turn of a conversation."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str
    name: str | None = None

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def assistant(cls, content: str) -> Message:
        return cls(role="assistant", content=content)


Conversation = Sequence[Message]


def as_conversation(prompt: str | Message | Sequence[Message]) -> list[Message]:
    """Accept a bare prompt, one message or a conversation and return a conversation."""
    if isinstance(prompt, str):
        return [Message.user(prompt)]
    if isinstance(prompt, Message):
        return [prompt]
    return list(prompt)


class Usage(BaseModel):
    """Token usage of one completion."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


FinishReason = Literal["stop", "length", "content_filter", "tool_calls", "error", "unknown"]
_KNOWN_FINISH: tuple[FinishReason, ...] = ("stop", "length", "content_filter", "tool_calls", "error")


def coerce_finish_reason(reason: object) -> FinishReason:
    """Map a backend's finish reason onto raikit's; anything unfamiliar becomes ``unknown``."""
    for value in _KNOWN_FINISH:
        if reason == value:
            return value
    return "unknown"


class Completion(BaseModel):
    """A target's answer to a conversation."""

    model_config = ConfigDict(frozen=True)

    text: str
    finish_reason: FinishReason = "stop"
    usage: Usage = Field(default_factory=Usage)
    model: str = ""
    latency_s: float = 0.0
    attempts: int = 1
    metadata: dict[str, Any] = Field(default_factory=dict)


class StreamEvent(BaseModel):
    """One piece of a streamed answer: a text delta, and on the last event the totals."""

    model_config = ConfigDict(frozen=True)

    delta: str = ""
    finish_reason: FinishReason | None = None
    usage: Usage | None = None

    @property
    def done(self) -> bool:
        return self.finish_reason is not None


class Score(BaseModel):
    """A scorer's or judge's number for one attempt, in [0, 1] unless the scorer says otherwise."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    label: str | None = None
    explanation: str | None = None


class Verdict(BaseModel):
    """A structured decision about a text: allowed or not, how risky, and why."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    risk: float = Field(ge=0.0, le=1.0)
    categories: dict[str, float] = Field(default_factory=dict)
    reason: str | None = None


class Attempt(BaseModel):
    """One item sent to a target and what came back: the unit the results store records."""

    item_id: str
    prompt: str
    transformed_prompt: str | None = None
    messages: list[Message] = Field(default_factory=list)
    response: str | None = None
    scores: dict[str, Score] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    usage: Usage = Field(default_factory=Usage)
    target: str = ""
    config_hash: str = ""
    error: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
