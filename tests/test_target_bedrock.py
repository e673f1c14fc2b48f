"""Tests of the Bedrock (Converse API) target, fully offline.

Non-streamed calls use ``botocore.stub.Stubber`` on a real ``bedrock-runtime`` client. Stubber
cannot stub ``converse_stream``: it validates the stubbed response against the output shape and
rejects both a list of events and a real ``EventStream`` for the ``stream`` member ("valid
types: dict"). Streams are therefore served one layer lower: a ``before-send`` hook (botocore's
public event system) answers the real, signed HTTP request with event-stream bytes encoded here,
so botocore's own parser builds the ``EventStream`` exactly as it would from the network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")

from botocore.config import Config  # noqa: E402
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

from fake_bedrock import FakeBedrock, encode_event, ok, stream_bytes  # noqa: E402
from raikit.core.types import Message  # noqa: E402
from raikit.models.bedrock import BedrockTarget, bedrock_target, converse_messages  # noqa: E402
from raikit.models.config import GenerateConfig, RetryPolicy  # noqa: E402
from raikit.models.errors import (  # noqa: E402
    TargetConfigError,
    TargetResponseError,
    TargetTimeoutError,
    TargetUnavailableError,
    TargetUnreachableError,
)
from raikit.models.registry import get_target  # noqa: E402
from raikit.models.spec import parse_target_spec  # noqa: E402

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
FAST = RetryPolicy(attempts=3, initial_backoff_s=0, max_backoff_s=0, jitter_s=0)


def make_client() -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def client() -> Any:
    return make_client()


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub


@pytest.fixture
def target(client: Any) -> BedrockTarget:
    target = BedrockTarget(f"bedrock:{MODEL}", MODEL, client=client)
    target.retry = FAST
    return target


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no AWS settings at all (and no instance-metadata lookups)."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


def reply(text: str = "Hello there", stop: str = "end_turn", inp: int = 12, out: int = 3) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": inp, "outputTokens": out, "totalTokens": inp + out},
        "metrics": {"latencyMs": 5},
    }


def simple_params(text: str = "Hi", **inference: Any) -> dict[str, Any]:
    return {
        "modelId": MODEL,
        "messages": [{"role": "user", "content": [{"text": text}]}],
        "inferenceConfig": {"maxTokens": 256, "temperature": 0.0, **inference},
    }


# -- target string and request building ---------------------------------------------------------
def test_factory_parses_model_id_with_colons_and_options() -> None:
    spec = parse_target_spec(f"bedrock:{MODEL}#region=eu-west-1&profile=dev")
    target = bedrock_target(spec.location, spec.options)
    assert target.model_id == MODEL
    assert (target.region, target.profile) == ("eu-west-1", "dev")
    assert target.name == f"bedrock:{MODEL}#profile=dev&region=eu-west-1"
    assert target._clients == {}  # the client is created lazily


def test_registry_finds_bedrock() -> None:
    target = get_target(f"bedrock:{MODEL}#region=us-east-1")
    assert isinstance(target, BedrockTarget)


def test_unknown_option_rejected() -> None:
    with pytest.raises(TargetConfigError, match="unknown option"):
        bedrock_target(MODEL, {"regoin": "us-east-1"})


def test_module_import_does_not_import_boto3() -> None:
    code = "import sys, raikit.models.bedrock; assert not {'boto3', 'botocore'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_converse_messages_split_merge_and_tool() -> None:
    system, turns = converse_messages(
        [
            Message.system("Be brief."),
            Message.user("a"),
            Message.user("b"),
            Message.assistant("c"),
            Message(role="tool", content="tool output"),
            Message.user(""),
            Message.user("d"),
            Message.system("Second rule."),
        ]
    )
    assert system == [{"text": "Be brief."}, {"text": "Second rule."}]
    assert turns == [
        {"role": "user", "content": [{"text": "a"}, {"text": "b"}]},
        {"role": "assistant", "content": [{"text": "c"}]},
        {"role": "user", "content": [{"text": "tool output"}, {"text": "d"}]},
    ]


def test_own_client_settings(aws_env: pytest.MonkeyPatch) -> None:
    target = BedrockTarget("bedrock:m", "m", region="us-west-2")
    cfg = GenerateConfig(timeout_s=42)
    client = target.client(cfg)
    assert client is target.client(cfg)
    assert client.meta.region_name == "us-west-2"
    assert client.meta.config.read_timeout == 42
    assert client.meta.config.retries["total_max_attempts"] == 1
    assert target.client(GenerateConfig(timeout_s=7)) is not client
    target.close()
    assert target._clients == {}


# -- non-streamed calls (Stubber) -----------------------------------------------------------------
def test_generate_request_and_response(target: BedrockTarget, stubber: Stubber) -> None:
    expected = {
        "modelId": MODEL,
        "system": [{"text": "You are terse."}],
        "messages": [
            {"role": "user", "content": [{"text": "one"}, {"text": "two"}]},
            {"role": "assistant", "content": [{"text": "ok"}]},
            {"role": "user", "content": [{"text": "three"}]},
        ],
        "inferenceConfig": {"maxTokens": 50, "temperature": 0.7, "topP": 0.9, "stopSequences": ["END"]},
    }
    stubber.add_response("converse", reply("Hello there", inp=12, out=3), expected)
    conversation = [
        Message.system("You are terse."),
        Message.user("one"),
        Message.user("two"),
        Message.assistant("ok"),
        Message.user("three"),
    ]
    cfg = GenerateConfig(max_tokens=50, temperature=0.7, top_p=0.9, stop=("END",), seed=3)
    completion = target.generate(conversation, cfg)
    stubber.assert_no_pending_responses()
    assert completion.text == "Hello there"
    assert completion.finish_reason == "stop"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 3)
    assert completion.model == MODEL
    assert completion.attempts == 1
    assert target.usage.total_tokens == 15


def test_text_blocks_joined_and_other_blocks_ignored(target: BedrockTarget, stubber: Stubber) -> None:
    response = reply()
    response["output"]["message"]["content"] = [
        {"text": "a"},
        {"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}},
        {"text": "b"},
    ]
    stubber.add_response("converse", response, simple_params())
    assert target.generate("Hi").text == "ab"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("tool_use", "tool_calls"),
    ],
)
def test_stop_reason_mapping(target: BedrockTarget, stubber: Stubber, reason: str, expected: str) -> None:
    stubber.add_response("converse", reply(stop=reason), simple_params())
    assert target.generate("Hi").finish_reason == expected


def test_throttling_retried_then_success(target: BedrockTarget, stubber: Stubber) -> None:
    for _ in range(2):
        stubber.add_client_error(
            "converse", "ThrottlingException", "Rate exceeded", 429, expected_params=simple_params()
        )
    stubber.add_response("converse", reply("finally"), simple_params())
    completion = target.generate("Hi")
    stubber.assert_no_pending_responses()
    assert completion.text == "finally"
    assert completion.attempts == 3


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 429),
        ("ServiceUnavailableException", 503),
        ("InternalServerException", 500),
        ("ModelNotReadyException", 429),
    ],
)
def test_transient_errors_give_up_after_retries(
    target: BedrockTarget, stubber: Stubber, code: str, status: int
) -> None:
    for _ in range(3):
        stubber.add_client_error("converse", code, "try later", status)
    with pytest.raises(TargetUnreachableError, match="gave up after 3 attempts") as info:
        target.generate("Hi")
    assert isinstance(info.value.__cause__, TargetUnavailableError)
    assert code in str(info.value)
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "The model returned the following errors: messages: text field is blank"),
        ("AccessDeniedException", "You don't have access to the model with the specified model ID."),
        ("ResourceNotFoundException", "Model not found"),
    ],
)
def test_client_errors_not_retried(target: BedrockTarget, stubber: Stubber, code: str, message: str) -> None:
    stubber.add_client_error("converse", code, message, 400)
    stubber.add_response("converse", reply(), simple_params())  # must stay unused
    with pytest.raises(TargetResponseError) as info:
        target.generate("Hi")
    assert message in str(info.value)
    assert code in str(info.value)
    assert not info.value.retryable
    with pytest.raises(AssertionError):
        stubber.assert_no_pending_responses()


async def test_agenerate(target: BedrockTarget, stubber: Stubber) -> None:
    stubber.add_response("converse", reply("async hello"), simple_params())
    completion = await target.agenerate("Hi")
    assert completion.text == "async hello"


# -- transport and credential errors ------------------------------------------------------------
def hooked_target(
    aws_env: pytest.MonkeyPatch, handler: Callable[..., Any], attempts: int = 2
) -> BedrockTarget:
    aws_env.setenv("AWS_ACCESS_KEY_ID", "x")
    aws_env.setenv("AWS_SECRET_ACCESS_KEY", "x")
    target = BedrockTarget("bedrock:m", "m", region="us-east-1")
    target.retry = RetryPolicy(attempts=attempts, initial_backoff_s=0, max_backoff_s=0, jitter_s=0)
    target.client(GenerateConfig()).meta.events.register("before-send.bedrock-runtime.*", handler)
    return target


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"),
    ],
)
def test_connection_errors_are_transient(aws_env: pytest.MonkeyPatch, error: Exception) -> None:
    calls: list[str] = []

    def fail(request: Any, **_: Any) -> Any:
        calls.append(request.url)
        raise error

    target = hooked_target(aws_env, fail, attempts=2)
    with pytest.raises(TargetUnreachableError) as info:
        target.generate("Hi")
    assert isinstance(info.value.__cause__, TargetUnavailableError)
    assert len(calls) == 2  # raikit retried once; botocore itself did not retry


def test_read_timeout(aws_env: pytest.MonkeyPatch) -> None:
    def slow(request: Any, **_: Any) -> Any:
        raise ReadTimeoutError(endpoint_url=request.url)

    target = hooked_target(aws_env, slow, attempts=1)
    with pytest.raises(TargetUnreachableError) as info:
        target.generate("Hi")
    assert isinstance(info.value.__cause__, TargetTimeoutError)


def test_no_credentials(aws_env: pytest.MonkeyPatch) -> None:
    target = BedrockTarget("bedrock:m", "m", region="us-east-1")

    def never(**_: Any) -> Any:
        raise AssertionError("a request was sent without credentials")

    target.client(GenerateConfig()).meta.events.register("before-send.bedrock-runtime.*", never)
    with pytest.raises(TargetConfigError, match="no AWS credentials found"):
        target.generate("Hi")


def test_missing_profile_and_region(aws_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(TargetConfigError, match="profile 'nope' not found"):
        BedrockTarget("bedrock:m", "m", region="us-east-1", profile="nope").generate("Hi")
    with pytest.raises(TargetConfigError, match="no AWS region"):
        BedrockTarget("bedrock:m", "m").generate("Hi")


# -- streaming (real EventStream decoded from bytes) ----------------------------------------------
THROTTLED = (429, {"x-amzn-ErrorType": "ThrottlingException"}, b'{"message":"Too many requests"}')


def stream_target(client: Any, fake: FakeBedrock) -> BedrockTarget:
    client.meta.events.register("before-send.bedrock-runtime.ConverseStream", fake)
    target = BedrockTarget(f"bedrock:{MODEL}", MODEL, client=client)
    target.retry = FAST
    return target


def test_stream_deltas_finish_and_usage(client: Any) -> None:
    fake = FakeBedrock(ok(stream_bytes(["Hel", "lo", " world"], usage=(9, 4))))
    target = stream_target(client, fake)
    cfg = GenerateConfig(max_tokens=20, stop=("###",))
    events = list(target.stream([Message.system("S"), Message.user("Hi")], cfg))
    assert [e.delta for e in events[:-1]] == ["Hel", "lo", " world"]
    assert events[-1].finish_reason == "stop"
    assert events[-1].usage is not None
    assert (events[-1].usage.prompt_tokens, events[-1].usage.completion_tokens) == (9, 4)
    assert target.usage.total_tokens == 13
    request = fake.requests[0]
    assert request["url"].endswith(f"/model/{MODEL.replace(':', '%3A')}/converse-stream")
    assert request["body"] == {
        "system": [{"text": "S"}],
        "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
        "inferenceConfig": {"maxTokens": 20, "temperature": 0.0, "stopSequences": ["###"]},
    }


def test_stream_max_tokens_and_missing_usage(client: Any) -> None:
    target = stream_target(client, FakeBedrock(ok(stream_bytes(["a", "b"], stop="max_tokens", usage=None))))
    events = list(target.stream("Hi"))
    assert events[-1].finish_reason == "length"
    assert events[-1].usage is not None and events[-1].usage.completion_tokens == 2


def test_stream_throttled_before_first_delta_is_retried(client: Any) -> None:
    fake = FakeBedrock(THROTTLED, ok(stream_bytes(["ok"])))
    target = stream_target(client, fake)
    assert "".join(e.delta for e in target.stream("Hi")) == "ok"
    assert len(fake.requests) == 2


def test_stream_error_event_mid_stream(client: Any) -> None:
    data = encode_event("messageStart", {"role": "assistant"})
    data += encode_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "par"}})
    data += encode_event("throttlingException", {"message": "slow down"}, exception=True)
    target = stream_target(client, FakeBedrock(ok(data)))
    received: list[str] = []
    with pytest.raises(TargetUnreachableError, match="slow down") as info:
        for event in target.stream("Hi"):
            received.append(event.delta)
    assert received == ["par"]  # not retried once text has been delivered
    assert isinstance(info.value.__cause__, TargetUnavailableError)


def test_stream_validation_error_not_retried(client: Any) -> None:
    bad = (400, {"x-amzn-ErrorType": "ValidationException"}, b'{"message":"bad input"}')
    fake = FakeBedrock(bad, ok(stream_bytes(["unused"])))
    target = stream_target(client, fake)
    with pytest.raises(TargetResponseError, match="bad input"):
        list(target.stream("Hi"))
    assert len(fake.requests) == 1


async def test_astream(client: Any) -> None:
    target = stream_target(client, FakeBedrock(ok(stream_bytes(["as", "ync"]))))
    text = "".join([event.delta async for event in target.astream("Hi")])
    assert text == "async"
