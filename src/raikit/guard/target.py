"""A target wrapped in guardrails: input rail, model, output rail — streaming included.

``guarded:POLICY@INNER`` names it, e.g. ``guarded:default@llamacpp:default``.

Streaming never bypasses the output rail. Text is held back in a sliding window: every
``check_every_chars`` the whole answer so far is scanned; only a prefix that is both at least
``window_chars`` behind the newest text and safe for the redactors (no entity cut in half) is
released, redacted as the policy says. When the rail blocks, the stream ends with the policy's
refusal message and ``finish_reason="content_filter"``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from raikit.core.types import Completion, Message, StreamEvent, Usage
from raikit.guard.pipeline import Guard, RailResult
from raikit.guard.types import ScanContext, last_user_text
from raikit.models.base import BaseTarget, Target
from raikit.models.config import GenerateConfig
from raikit.models.errors import TargetConfigError
from raikit.models.registry import get_target, target_factory


def _system_prompt(messages: list[Message]) -> str | None:
    parts = [m.content for m in messages if m.role == "system"]
    return "\n".join(parts) if parts else None


class GuardedTarget(BaseTarget):
    """Wraps ``inner``; every answer passes the output rail, streamed or not."""

    def __init__(
        self,
        inner: Target,
        guard: Guard,
        *,
        name: str | None = None,
        window_chars: int = 128,
        check_every_chars: int = 64,
        documents: tuple[str, ...] = (),
    ) -> None:
        super().__init__(name or f"guarded:{guard.policy.name}@{inner.name}")
        self.inner = inner
        self.guard = guard
        self.window_chars = window_chars
        self.check_every_chars = check_every_chars
        self.documents = documents
        self.last_input: RailResult | None = None
        self.last_output: RailResult | None = None

    # -- rails -----------------------------------------------------------------------------------
    def _input(self, messages: list[Message]) -> tuple[list[Message] | None, RailResult]:
        """The messages to send (redacted if the policy says so), or None when blocked."""
        context = ScanContext(stage="input", system_prompt=_system_prompt(messages), documents=self.documents)
        result = self.guard.scan_input(messages, context)
        self.last_input = result
        if not result.allowed:
            return None, result
        if result.sanitized is None:
            return messages, result
        out = list(messages)
        for i in range(len(out) - 1, -1, -1):
            if out[i].role == "user":
                out[i] = out[i].model_copy(update={"content": result.sanitized})
                break
        return out, result

    def _output_context(self, messages: list[Message]) -> ScanContext:
        return ScanContext(
            stage="output", prompt=last_user_text(messages), system_prompt=_system_prompt(messages)
        )

    def _refusal(self, rail: RailResult, usage: Usage) -> Completion:
        return Completion(
            text=self.guard.policy.refusal_message,
            finish_reason="content_filter",
            usage=usage,
            model=self.inner.name,
            metadata={"guard": {rail.stage: rail.to_contract()}},
        )

    # -- BaseTarget --------------------------------------------------------------------------------
    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        to_send, rail_in = self._input(messages)
        if to_send is None:
            return self._refusal(rail_in, Usage())
        answer = self.inner.generate(to_send, config)
        rail_out = self.guard.scan_output(answer.text, context=self._output_context(messages))
        self.last_output = rail_out
        if not rail_out.allowed:
            return self._refusal(rail_out, answer.usage)
        meta = {"guard": {"input": rail_in.to_contract(), "output": rail_out.to_contract()}}
        return answer.model_copy(
            update={
                "text": rail_out.sanitized if rail_out.sanitized is not None else answer.text,
                "metadata": meta,
            }
        )

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        to_send, _ = self._input(messages)
        if to_send is None:
            yield StreamEvent(delta=self.guard.policy.refusal_message)
            yield StreamEvent(finish_reason="content_filter", usage=Usage())
            return
        context = self._output_context(messages)
        raw = ""
        released = 0
        unchecked = 0
        usage: Usage | None = None
        finish = None
        stream = self.inner.stream(to_send, config)
        try:
            for event in stream:
                raw += event.delta
                unchecked += len(event.delta)
                if event.done:
                    usage, finish = event.usage, event.finish_reason
                if unchecked < self.check_every_chars:
                    continue
                unchecked = 0
                rail = self.guard.scan_output(raw, context=context)
                if not rail.allowed:
                    yield from self._blocked(rail, usage)
                    return
                # Cut behind the window, then back off so no entity straddles the cut.
                cut = len(raw) - self.window_chars
                limit = self.guard.safe_release_length(raw[:cut]) if cut > released else released
                if limit > released:
                    yield StreamEvent(delta=self._segment(raw[released:limit], rail, context))
                    released = limit
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        rail = self.guard.scan_output(raw, context=context)
        self.last_output = rail
        if not rail.allowed:
            yield from self._blocked(rail, usage)
            return
        if released < len(raw):
            yield StreamEvent(delta=self._segment(raw[released:], rail, context))
        yield StreamEvent(finish_reason=finish or "stop", usage=usage or Usage())

    def _segment(self, text: str, rail: RailResult, context: ScanContext) -> str:
        if rail.action == "redact" and rail.redactors:
            return self.guard.redact(text, rail.redactors, context)
        return text

    def _blocked(self, rail: RailResult, usage: Usage | None) -> Iterator[StreamEvent]:
        self.last_output = rail
        yield StreamEvent(delta=f"\n\n{self.guard.policy.refusal_message}")
        yield StreamEvent(finish_reason="content_filter", usage=usage or Usage())

    def close(self) -> None:
        self.inner.close()


@target_factory(
    "guarded",
    description="Any target behind raikit's input and output rails",
    example="guarded:default@llamacpp:default",
    extra="guard",
)
def guarded_target(location: str, options: Mapping[str, Any]) -> GuardedTarget:
    policy, sep, inner_spec = location.partition("@")
    if not sep or not policy or not inner_spec:
        raise TargetConfigError(
            f"guarded target {location!r}: expected guarded:POLICY@TARGET, "
            "e.g. guarded:default@llamacpp:default"
        )
    if options:
        inner_spec = inner_spec + "#" + "&".join(f"{k}={v}" for k, v in options.items())
    return GuardedTarget(get_target(inner_spec), Guard(policy))
