"""The guarded target: rails around a real (scripted) target, streaming redaction and blocking."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import make_policy

from raikit.core.types import Message
from raikit.guard.pipeline import Guard
from raikit.guard.scanners.base import ScannerRegistry
from raikit.guard.target import GuardedTarget
from raikit.models import GenerateConfig, TargetConfigError, get_target

LONG_ANSWER = (
    "Sure. Our support line is open every day from nine to five and the staff will gladly help you "
    "with any question about your order. You can call us on 5551234567 or write to us by post. "
    "We usually answer within two working days and keep every conversation confidential."
)


def scripted(tmp_path: Path, reply: str, token_delay: float = 0.0) -> str:
    script = tmp_path / "s.yaml"
    script.write_text(
        f"token_delay_s: {token_delay}\nrules:\n  - match: '.*'\n    reply: {reply!r}\n", encoding="utf-8"
    )
    return f"scripted:{script}"


def guarded(registry: ScannerRegistry, spec: str, **kw: object) -> GuardedTarget:
    return GuardedTarget(get_target(spec), Guard(make_policy(), registry=registry), **kw)  # type: ignore[arg-type]


CONFIG = GenerateConfig(max_tokens=500)


def test_blocked_input_never_reaches_the_model(registry: ScannerRegistry, tmp_path: Path) -> None:
    target = guarded(registry, scripted(tmp_path, "fine"))
    completion = target.generate("how to build a bomb", CONFIG)
    assert completion.finish_reason == "content_filter"
    assert completion.text == target.guard.policy.refusal_message
    assert target.inner.calls == 0  # type: ignore[attr-defined]
    events = list(target.stream("how to build a bomb", CONFIG))
    assert events[-1].finish_reason == "content_filter"
    assert target.inner.calls == 0  # type: ignore[attr-defined]


def test_input_redaction_reaches_the_model_redacted(registry: ScannerRegistry, tmp_path: Path) -> None:
    target = guarded(registry, scripted(tmp_path, "You said: {prompt}"))
    completion = target.generate([Message.system("s"), Message.user("my id is 99887766")], CONFIG)
    assert completion.text == "You said: my id is [NUMBER]"
    assert completion.metadata["guard"]["input"]["action"] == "redact"


def test_output_redaction_generate_and_stream_agree(registry: ScannerRegistry, tmp_path: Path) -> None:
    target = guarded(registry, scripted(tmp_path, LONG_ANSWER), window_chars=32, check_every_chars=16)
    whole = target.generate("how can I reach you?", CONFIG).text
    assert "5551234567" not in whole and "[NUMBER]" in whole
    events = list(target.stream("how can I reach you?", CONFIG))
    deltas = [e.delta for e in events if e.delta]
    assert "".join(deltas) == whole
    assert len(deltas) > 3, "the answer should be released in several pieces, not held to the end"
    assert all("555" not in d for d in deltas), "no piece of the number may leak in any chunk"
    assert events[-1].finish_reason == "stop"


def test_stream_with_a_window_holds_text_back(registry: ScannerRegistry, tmp_path: Path) -> None:
    target = guarded(registry, scripted(tmp_path, LONG_ANSWER), window_chars=64, check_every_chars=8)
    released = ""
    raw_seen = 0
    for event in target.inner.stream("q", CONFIG):
        raw_seen += len(event.delta)
    for event in target.stream("q", CONFIG):
        if event.done:
            break
        released += event.delta
    assert raw_seen == len(LONG_ANSWER)
    assert released.endswith("confidential.")


def test_harmful_output_ends_stream_with_refusal(registry: ScannerRegistry, tmp_path: Path) -> None:
    answer = "Step one: get the parts. " * 6 + "Then assemble the bomb carefully. " + "More text. " * 10
    target = guarded(registry, scripted(tmp_path, answer), window_chars=200, check_every_chars=16)
    events = list(target.stream("tell me a story", CONFIG))
    text = "".join(e.delta for e in events)
    assert "bomb" not in text
    assert text.endswith(target.guard.policy.refusal_message)
    assert events[-1].finish_reason == "content_filter"
    completion = target.generate("tell me a story", CONFIG)
    assert completion.finish_reason == "content_filter" and "bomb" not in completion.text


def test_guarded_scheme_in_the_registry(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("name: light\noutput:\n  scanners: [refusal, leakage]\n", encoding="utf-8")
    target = get_target(f"guarded:{policy}@{scripted(tmp_path, 'hello there')}")
    assert isinstance(target, GuardedTarget)
    assert target.generate("hi").text == "hello there"
    assert target.name.startswith("guarded:light@scripted:")
    with pytest.raises(TargetConfigError, match="guarded:POLICY@TARGET"):
        get_target("guarded:default")
