"""``scripted:FILE.yaml`` — deterministic replies from a YAML script, for tests and demos.

Example script::

    model: demo
    delay_s: 0.0              # wait before each reply
    default: "I can't help with that."
    rules:                    # first match on the last user message wins
      - match: "(?i)hello"    # a regular expression ...
        reply: "Hello! You said: {prompt}"
      - contains: "flaky"     # ... or a plain substring
        error: unavailable    # simulate a transient failure (or: timeout, bad_request)
        times: 2              # only the first two matching calls fail
        reply: "recovered"
    sequence: ["first", "second"]   # used in order when no rule matches, then `default`
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raikit.core.types import Completion, FinishReason, Message, StreamEvent, Usage
from raikit.models.base import BaseTarget
from raikit.models.config import GenerateConfig
from raikit.models.errors import (
    TargetConfigError,
    TargetError,
    TargetResponseError,
    TargetTimeoutError,
    TargetUnavailableError,
)
from raikit.models.registry import target_factory

ErrorKind = Literal["unavailable", "timeout", "bad_request"]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: str | None = None
    contains: str | None = None
    reply: str | None = None
    error: ErrorKind | None = None
    times: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if (self.match is None) == (self.contains is None):
            raise ValueError("a rule needs exactly one of 'match' or 'contains'")
        if self.reply is None and self.error is None:
            raise ValueError("a rule needs a 'reply', an 'error', or both")
        if self.match is not None:
            try:
                re.compile(self.match)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {self.match!r}: {exc}") from exc
        return self

    def matches(self, text: str) -> bool:
        if self.match is not None:
            return re.search(self.match, text) is not None
        return self.contains is not None and self.contains in text


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = "scripted"
    delay_s: float = Field(default=0.0, ge=0.0)
    token_delay_s: float = Field(default=0.0, ge=0.0)
    default: str = "I'm sorry, but I can't help with that."
    rules: list[Rule] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)


def load_script(path: str | Path) -> Script:
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TargetConfigError(f"scripted target: no such file {file}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TargetConfigError(f"scripted target: {file} is not valid YAML{where}") from exc
    except OSError as exc:
        raise TargetConfigError(f"scripted target: cannot read {file}: {exc.strerror or exc}") from exc
    try:
        return Script.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "script"
        raise TargetConfigError(f"scripted target {file}: {where}: {first['msg']}") from exc


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text) or [text]


def _last_user(messages: list[Message]) -> str:
    for message in reversed(messages):
        if message.role == "user":
            return message.content
    return messages[-1].content if messages else ""


class ScriptedTarget(BaseTarget):
    """Replies chosen by rules; thread-safe, so batches are deterministic per prompt."""

    def __init__(self, name: str, script: Script) -> None:
        super().__init__(name)
        self.script = script
        self._lock = threading.Lock()
        self._rule_hits = [0] * len(script.rules)
        self._sequence_pos = 0
        self.calls = 0

    def _reply(self, messages: list[Message]) -> str:
        prompt = _last_user(messages)
        with self._lock:
            self.calls += 1
            for index, rule in enumerate(self.script.rules):
                if not rule.matches(prompt):
                    continue
                self._rule_hits[index] += 1
                failing = rule.error is not None and (
                    rule.times is None or self._rule_hits[index] <= rule.times
                )
                if failing:
                    raise self._error(rule.error)
                if rule.reply is not None:
                    return rule.reply.replace("{prompt}", prompt)
            if self._sequence_pos < len(self.script.sequence):
                self._sequence_pos += 1
                return self.script.sequence[self._sequence_pos - 1]
        return self.script.default

    def _error(self, kind: ErrorKind | None) -> TargetError:
        if kind == "unavailable":
            return TargetUnavailableError(f"{self.name}: scripted transient failure")
        if kind == "timeout":
            return TargetTimeoutError(f"{self.name}: scripted timeout")
        return TargetResponseError(f"{self.name}: scripted bad request")

    def _count(self, messages: list[Message], text: str, max_tokens: int) -> tuple[list[str], Usage]:
        tokens = _tokens(text)[:max_tokens]
        prompt_tokens = sum(len(_tokens(m.content)) for m in messages)
        return tokens, Usage(prompt_tokens=prompt_tokens, completion_tokens=len(tokens))

    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        if self.script.delay_s:
            time.sleep(self.script.delay_s)
        reply = self._reply(messages)
        tokens, usage = self._count(messages, reply, config.max_tokens)
        finish: FinishReason = "length" if len(tokens) < len(_tokens(reply)) else "stop"
        return Completion(text="".join(tokens), finish_reason=finish, usage=usage, model=self.script.model)

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        if self.script.delay_s:
            time.sleep(self.script.delay_s)
        reply = self._reply(messages)
        tokens, usage = self._count(messages, reply, config.max_tokens)
        for token in tokens:
            if self.script.token_delay_s:
                time.sleep(self.script.token_delay_s)
            yield StreamEvent(delta=token)
        finish: FinishReason = "length" if len(tokens) < len(_tokens(reply)) else "stop"
        yield StreamEvent(finish_reason=finish, usage=usage)


@target_factory(
    "scripted",
    description="Deterministic replies from a YAML script (tests and demos)",
    example="scripted:replies.yaml",
)
def scripted_target(location: str, options: Mapping[str, str]) -> ScriptedTarget:
    script = load_script(location)
    return ScriptedTarget(f"scripted:{location}", script)
