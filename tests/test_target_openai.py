"""The ``openai:`` adapter against a real llama.cpp server and a scripted HTTP stub, both on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from raikit.core.types import Message
from raikit.models import (
    GenerateConfig,
    RetryPolicy,
    TargetConfigError,
    TargetResponseError,
    TargetUnreachableError,
    get_target,
)
from raikit.models.openai import OpenAICompatibleTarget
from stub_http import StubResponse, chat_body, stub_server

FAST_RETRY = RetryPolicy(attempts=3, initial_backoff_s=0.01, max_backoff_s=0.02, jitter_s=0.0)
SHORT = GenerateConfig(max_tokens=24, temperature=0.0, seed=0, timeout_s=60)


def _target(spec: str) -> OpenAICompatibleTarget:
    target = get_target(spec)
    assert isinstance(target, OpenAICompatibleTarget)
    target.retry = FAST_RETRY
    return target


@pytest.mark.integration
class TestRealLlamaServer:
    def test_generate_reports_text_and_usage(self, llama_server: str) -> None:
        target = _target(f"openai:{llama_server}#model=smollm2")
        completion = target.generate("What is the capital of France?", SHORT)
        assert "Paris" in completion.text
        assert completion.usage.prompt_tokens > 5
        assert 0 < completion.usage.completion_tokens <= 24
        assert completion.finish_reason in ("stop", "length")
        assert target.usage.total_tokens == completion.usage.total_tokens

    def test_stream_matches_generate(self, llama_server: str) -> None:
        target = _target(f"openai:{llama_server}#model=smollm2")
        whole = target.generate("Name three colours.", SHORT).text
        events = list(target.stream("Name three colours.", SHORT))
        assert len([e for e in events if e.delta]) > 3, "expected a token-by-token stream"
        assert "".join(e.delta for e in events) == whole
        assert events[-1].done and events[-1].usage is not None
        assert events[-1].usage.completion_tokens > 0

    def test_async_generate_stream_and_batch(self, llama_server: str) -> None:
        target = _target(f"openai:{llama_server}#model=smollm2")

        async def go() -> tuple[str, str, list[str]]:
            one = await target.agenerate("Say hello.", SHORT)
            streamed = "".join([e.delta async for e in target.astream("Say hello.", SHORT)])
            many = await target.abatch(["Say hello.", "Count to three."], SHORT, concurrency=2)
            return one.text, streamed, [getattr(m, "text", "") for m in many]

        one, streamed, many = asyncio.run(go())
        assert one == streamed == many[0]
        assert many[1]

    def test_cli_chat_streams_through_openai_adapter(self, llama_server: str) -> None:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "raikit.cli",
                "chat",
                f"openai:{llama_server}#model=smollm2",
                "What is the capital of France?",
                "--max-tokens",
                "16",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "Paris" in out.stdout


class TestStubbedServer:
    def test_retries_server_errors_then_succeeds(self) -> None:
        replies = [StubResponse(status=503, body={"error": "busy"}), StubResponse(body=chat_body("ok"))]
        with stub_server(replies) as (base, state):
            completion = _target(f"openai:{base}#model=m").generate("hi", SHORT)
        assert completion.text == "ok"
        assert completion.attempts == 2
        assert len(state.requests) == 2

    def test_client_errors_are_not_retried(self) -> None:
        bad = [StubResponse(status=400, body={"error": "bad model"})]
        with stub_server(bad) as (base, state), pytest.raises(TargetResponseError, match="HTTP 400"):
            _target(f"openai:{base}#model=m").generate("hi", SHORT)
        assert len(state.requests) == 1

    def test_unreachable_server_gives_up_with_one_line(self) -> None:
        from support import free_port

        target = _target(f"openai:http://127.0.0.1:{free_port()}/v1#model=m")
        with pytest.raises(TargetUnreachableError) as info:
            target.generate("hi", SHORT)
        message = str(info.value)
        assert "cannot reach" in message and "after 3 attempts" in message
        assert "\n" not in message

    def test_request_payload_and_api_key_from_env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MY_KEY", "sk-test")
        with stub_server([StubResponse(body=chat_body("fine"))]) as (base, state):
            config = GenerateConfig(max_tokens=7, temperature=0.5, top_p=0.9, stop=("END",), seed=3)
            _target(f"openai:{base}#model=m1&key_env=MY_KEY").generate(
                [Message.system("be brief"), Message.user("hi")], config
            )
        request = state.requests[0]
        assert request["path"] == "/v1/chat/completions"
        headers = {k.lower(): v for k, v in request["headers"].items()}  # type: ignore[union-attr]
        assert headers["authorization"] == "Bearer sk-test"
        body = request["json"]
        assert body == {
            "model": "m1",
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
            "max_tokens": 7,
            "temperature": 0.5,
            "stream": False,
            "top_p": 0.9,
            "stop": ["END"],
            "seed": 3,
        }

    def test_missing_key_env_is_a_config_error(self) -> None:
        with pytest.raises(TargetConfigError, match="NOT_SET_ANYWHERE"):
            get_target("openai:http://127.0.0.1:1/v1#key_env=NOT_SET_ANYWHERE")

    def test_sse_stream_with_usage_and_done(self) -> None:
        chunks = [
            json.dumps({"choices": [{"delta": {"role": "assistant"}}]}),
            json.dumps({"choices": [{"delta": {"content": "Hel"}}]}),
            json.dumps({"choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]}),
            json.dumps({"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}}),
            "[DONE]",
        ]
        with stub_server([StubResponse(sse=chunks)]) as (base, state):
            events = list(_target(f"openai:{base}#model=m").stream("hi", SHORT))
        assert [e.delta for e in events if e.delta] == ["Hel", "lo"]
        assert events[-1].finish_reason == "stop"
        assert events[-1].usage is not None and events[-1].usage.prompt_tokens == 4
        assert state.requests[0]["json"]["stream_options"] == {"include_usage": True}  # type: ignore[index]

    def test_malformed_stream_chunk_is_an_error(self) -> None:
        with (
            stub_server([StubResponse(sse=["{not json"])]) as (base, _),
            pytest.raises(TargetResponseError, match="malformed stream chunk"),
        ):
            list(_target(f"openai:{base}#model=m").stream("hi", SHORT))

    def test_bad_location_is_rejected(self) -> None:
        with pytest.raises(TargetConfigError, match="http"):
            get_target("openai:127.0.0.1:8000")
