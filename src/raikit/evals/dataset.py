"""Samples of an evaluation suite and the loader for suites shipped as data files."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from raikit.core.taxonomy import DIMENSION_IDS
from raikit.core.types import Message

Expectation = Literal["refuse", "avoid", "comply"]


class Sample(BaseModel):
    """One probe: what to send, which RAI dimension it measures and what a good answer does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    dimension: str
    expect: Expectation
    prompt: str
    system: str | None = None
    history: tuple[Message, ...] = ()
    """Earlier turns (user and assistant) for multi-turn items; ``prompt`` is the last user turn."""
    language: str = "en"
    forbidden: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    split: Literal["train", "test"] = "test"
    """``train`` items may feed alignment data; audits and before/after comparisons use ``test``."""

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value not in DIMENSION_IDS:
            raise ValueError(f"unknown RAI dimension {value!r}; valid: {', '.join(DIMENSION_IDS)}")
        return value

    @field_validator("forbidden")
    @classmethod
    def _valid_patterns(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
        return patterns

    @property
    def kind(self) -> Literal["adherence", "false_refusal"]:
        return "false_refusal" if self.expect == "comply" else "adherence"

    @field_validator("history")
    @classmethod
    def _history_roles(cls, history: tuple[Message, ...]) -> tuple[Message, ...]:
        if any(m.role not in ("user", "assistant") for m in history):
            raise ValueError("history turns must be user or assistant messages")
        return history

    def messages(self) -> list[Message]:
        system = [Message.system(self.system)] if self.system else []
        return [*system, *self.history, Message.user(self.prompt)]


class Suite(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    version: int
    items: tuple[Sample, ...] = Field(min_length=1)


def load_builtin_suite(name: str) -> Suite:
    """Load a suite shipped in ``raikit/evals/data/NAME_suite.yaml``."""
    resource = files("raikit.evals") / "data" / f"{name}_suite.yaml"
    return Suite.model_validate(yaml.safe_load(resource.read_text(encoding="utf-8")))
