"""Generation and retry settings shared by every target."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class GenerateConfig(BaseModel):
    """How to sample one completion. Defaults are deterministic (greedy, fixed seed)."""

    model_config = ConfigDict(frozen=True)

    max_tokens: int = Field(default=256, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    stop: tuple[str, ...] = ()
    seed: int | None = 0
    timeout_s: float | None = Field(default=120.0, gt=0.0)
    tools: tuple[dict[str, Any], ...] = Field(default=(), exclude=True)
    """OpenAI-style function specs for targets with native tool calling (others ignore them);
    set per request by agentic solvers, so it is left out of dumps and run-config hashes."""


class RetryPolicy(BaseModel):
    """Exponential backoff with jitter, applied to transient failures only."""

    model_config = ConfigDict(frozen=True)

    attempts: int = Field(default=3, ge=1)
    initial_backoff_s: float = Field(default=0.5, ge=0.0)
    max_backoff_s: float = Field(default=8.0, ge=0.0)
    jitter_s: float = Field(default=0.1, ge=0.0)
