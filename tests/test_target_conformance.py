"""Every registered target scheme honours the same Target protocol.

The parametrisation comes from the registry itself, so a newly registered scheme without a
builder here fails instead of being silently skipped. Each builder makes a real instance:
the embedded GGUF, a real llama.cpp server on 127.0.0.1, a tiny transformers model built
offline, a botocore client answered by an offline Bedrock stand-in, and a YAML script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from raikit.core.types import Completion, Message, StreamEvent
from raikit.models import GenerateConfig, Target, TargetError, default_registry, get_target
from raikit.models.spec import parse_target_spec

SCHEMES = default_registry().schemes()
CONFIG = GenerateConfig(max_tokens=12, temperature=0.0, seed=0, timeout_s=60)


def _scripted(request: pytest.FixtureRequest) -> Target:
    folder: Path = request.getfixturevalue("tmp_path")
    script = folder / "echo.yaml"
    script.write_text("rules:\n  - match: '.*'\n    reply: 'You said {prompt} and I answer politely.'\n")
    return get_target(f"scripted:{script}")


def _llamacpp(request: pytest.FixtureRequest) -> Target:
    request.getfixturevalue("default_gguf")
    return get_target("llamacpp:default")


def _openai(request: pytest.FixtureRequest) -> Target:
    base = request.getfixturevalue("llama_server")
    return get_target(f"openai:{base}#model=smollm2")


def _transformers(request: pytest.FixtureRequest) -> Target:
    pytest.importorskip("torch", reason="the transformers target needs torch")
    pytest.importorskip("transformers", reason="the transformers target needs transformers")
    from tiny_hf_model import build_tiny_llama

    folder = Path(request.getfixturevalue("tmp_path_factory").mktemp("tiny-llama"))
    build_tiny_llama(folder)
    return get_target(f"transformers:{folder}#device=cpu")


def _bedrock(request: pytest.FixtureRequest) -> Target:
    pytest.importorskip("boto3", reason="the bedrock target needs boto3")
    from fake_bedrock import EchoBedrock

    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    target = get_target("bedrock:anthropic.claude-3-haiku-20240307-v1:0#region=us-east-1")
    fake = EchoBedrock()
    target.client(CONFIG).meta.events.register("before-send.bedrock-runtime.*", fake)  # type: ignore[attr-defined]
    # Clients made later (one per timeout value) copy the session's emitter, so hook it too.
    target._session.events.register("before-send.bedrock-runtime.*", fake)  # type: ignore[attr-defined]
    return target


def _guarded(request: pytest.FixtureRequest) -> Target:
    folder: Path = request.getfixturevalue("tmp_path")
    policy = folder / "light.yaml"
    policy.write_text("name: light\noutput:\n  scanners: [pii, leakage, refusal]\n", encoding="utf-8")
    inner = _scripted(request)
    return get_target(f"guarded:{policy}@{inner.name}")


BUILDERS: dict[str, Callable[[pytest.FixtureRequest], Target]] = {
    "guarded": _guarded,
    "scripted": _scripted,
    "llamacpp": _llamacpp,
    "openai": _openai,
    "transformers": _transformers,
    "bedrock": _bedrock,
}


@pytest.fixture(params=SCHEMES)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    scheme = request.param
    builder = BUILDERS.get(scheme)
    if builder is None:
        pytest.fail(f"target scheme {scheme!r} is registered but has no conformance builder")
    built = builder(request)
    yield built
    built.close()
    built.close()  # closing twice is allowed


def test_every_builtin_scheme_is_registered() -> None:
    assert set(BUILDERS) <= set(SCHEMES)


def test_is_a_target_and_named_by_its_string(target: Target) -> None:
    assert isinstance(target, Target)
    assert target.name.split(":", 1)[0] in SCHEMES
    assert parse_target_spec(target.name).scheme == target.name.split(":", 1)[0]


def test_generate(target: Target) -> None:
    completion = target.generate([Message.system("Be brief."), Message.user("Say hello")], CONFIG)
    assert isinstance(completion, Completion)
    assert completion.text.strip()
    assert completion.finish_reason in ("stop", "length")
    assert 0 < completion.usage.completion_tokens <= CONFIG.max_tokens
    assert completion.usage.prompt_tokens > 0
    assert completion.latency_s > 0 and completion.attempts == 1


def test_generation_is_deterministic_at_temperature_zero(target: Target) -> None:
    first = target.generate("Name a colour.", CONFIG).text
    assert target.generate("Name a colour.", CONFIG).text == first


def test_stream_matches_generate(target: Target) -> None:
    whole = target.generate("Tell me about the sea.", CONFIG)
    events = list(target.stream("Tell me about the sea.", CONFIG))
    assert all(isinstance(e, StreamEvent) for e in events)
    assert [e for e in events if e.done] == [events[-1]], "exactly one final event, at the end"
    assert "".join(e.delta for e in events) == whole.text
    assert events[-1].usage is not None and events[-1].usage.completion_tokens > 0


def test_max_tokens_is_respected(target: Target) -> None:
    completion = target.generate(
        "Write a long story about a dragon and a knight.", GenerateConfig(max_tokens=3)
    )
    assert completion.usage.completion_tokens <= 3


def test_async_api(target: Target) -> None:
    async def run() -> tuple[Completion, str]:
        completion = await target.agenerate("Say hello", CONFIG)
        streamed = "".join([e.delta async for e in target.astream("Say hello", CONFIG)])
        return completion, streamed

    completion, streamed = asyncio.run(run())
    assert completion.text == streamed == target.generate("Say hello", CONFIG).text


def test_batch_keeps_order_and_counts_usage(target: Target) -> None:
    prompts = ["Say one.", "Say two.", "Say three."]
    before = target.usage.total_tokens
    results = target.batch(prompts, CONFIG, concurrency=2)
    assert len(results) == 3
    assert all(isinstance(r, Completion) for r in results)
    singles = [target.generate(p, CONFIG).text for p in prompts]
    assert [r.text for r in results if isinstance(r, Completion)] == singles
    assert target.usage.total_tokens > before
    async_results = asyncio.run(target.abatch(prompts, CONFIG, concurrency=2))
    assert [r.text for r in async_results if isinstance(r, Completion)] == singles


def test_errors_are_target_errors(target: Target) -> None:
    with pytest.raises((TargetError, ValueError)):
        target.batch(["x"], CONFIG, concurrency=0)
