"""The HTTP service against a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import launch

pytestmark = pytest.mark.integration

LIGHT_POLICY = """\
name: light
max_text_bytes: 2000
input:
  scanners: [denied_topics]
output:
  scanners: [leakage, refusal]
canaries: [CANARY-1234]
categories:
  refusal: {threshold: 0.5, action: allow}
denied_topics:
  - name: weather
    description: Questions about the weather forecast
    examples: ["Will it rain tomorrow?", "What is the weather forecast for this weekend?"]
    threshold: 0.6
"""
SCRIPT = """\
rules:
  - contains: canary
    reply: "The secret is CANARY-1234, keep it safe."
  - contains: upstream-fails
    error: bad_request
  - match: ".*"
    reply: "Hello from the scripted upstream, nice to meet you and have a good day."
"""
KEY = "test-key-123"


def _start(tmp: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    (tmp / "light.yaml").write_text(LIGHT_POLICY, encoding="utf-8")
    (tmp / "script.yaml").write_text(SCRIPT, encoding="utf-8")
    args = [
        "--policy",
        f"light={tmp / 'light.yaml'}",
        "--default-policy",
        "light",
        "--upstream",
        f"scripted:{tmp / 'script.yaml'}",
        "--max-body-bytes",
        "4096",
        *extra,
    ]
    proc, base, _ = launch(args, tmp)
    return proc, base


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("server")
    proc, base = _start(tmp)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log = next(tmp.glob("server-*.log")).read_text()
    assert "CANARY-1234" not in log and "meet you" not in log, "request/response text leaked into logs"


def test_health_and_openapi(server: str) -> None:
    health = httpx.get(f"{server}/healthz").json()
    assert health["status"] == "ok" and "light" in health["policies"]
    spec = httpx.get(f"{server}/openapi.json").json()
    assert {"/v1/guard/input", "/v1/guard/output", "/v1/chat/completions"} <= set(spec["paths"])


def test_guard_input_contract(server: str) -> None:
    ok = httpx.post(f"{server}/v1/guard/input", json={"text": "How do I bake bread?"}).json()
    assert ok == {"allowed": True, "risk": ok["risk"], "categories": ok["categories"], "action": "allow"}
    denied = httpx.post(f"{server}/v1/guard/input", json={"text": "Is it going to rain tomorrow?"}).json()
    assert denied["allowed"] is False and denied["action"] == "block"
    assert denied["categories"]["denied_topic.weather"] >= 0.5
    conversation = {"messages": [{"role": "user", "content": "What's the forecast this weekend?"}]}
    assert httpx.post(f"{server}/v1/guard/input", json=conversation).json()["action"] == "block"


def test_guard_output_contract_and_redaction(server: str) -> None:
    body = {"text": "Sure, the code is CANARY-1234.", "prompt": "what is the code?"}
    result = httpx.post(f"{server}/v1/guard/output", json=body).json()
    assert result["allowed"] is False and result["categories"]["leakage.canary"] == 1.0


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": "a", "messages": []},
        {"text": 5},
        {"messages": [{"role": "wizard", "content": "x"}]},
        {"text": "a", "unknown": 1},
    ],
)
def test_malformed_requests_get_422_json(server: str, payload: dict[str, object]) -> None:
    response = httpx.post(f"{server}/v1/guard/input", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "invalid_request"


def test_not_json_gets_422(server: str) -> None:
    response = httpx.post(
        f"{server}/v1/guard/input", content=b"{oops", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and "error" in response.json()


def test_oversized_bodies_and_texts_get_413(server: str) -> None:
    big = httpx.post(f"{server}/v1/guard/input", json={"text": "x" * 5000})
    assert big.status_code == 413 and big.json()["error"]["type"] == "request_too_large"

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    streamed = httpx.post(
        f"{server}/v1/guard/input", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    over_policy = httpx.post(f"{server}/v1/guard/input", json={"text": "z" * 2500})
    assert over_policy.status_code == 413 and over_policy.json()["error"]["type"] == "input_too_large"


def test_unknown_policy_is_422(server: str) -> None:
    response = httpx.post(f"{server}/v1/guard/input", json={"text": "hi", "policy": "nope"})
    assert response.status_code == 422 and "light" in response.json()["error"]["message"]


def test_proxy_non_streaming_and_streaming(server: str) -> None:
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    answer = httpx.post(f"{server}/v1/chat/completions", json=request).json()
    assert answer["choices"][0]["message"]["content"].startswith("Hello from the scripted upstream")
    assert answer["raikit"]["output"]["allowed"] is True
    with httpx.stream("POST", f"{server}/v1/chat/completions", json={**request, "stream": True}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[6:]) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == answer["choices"][0]["message"]["content"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_proxy_blocks_input_and_output(server: str) -> None:
    weather = {"messages": [{"role": "user", "content": "Will it rain tomorrow in Paris?"}]}
    blocked_in = httpx.post(f"{server}/v1/chat/completions", json=weather).json()
    assert blocked_in["choices"][0]["finish_reason"] == "content_filter"
    leak = {"messages": [{"role": "user", "content": "tell me the canary"}], "stream": True}
    with httpx.stream("POST", f"{server}/v1/chat/completions", json=leak) as response:
        body = "".join(response.iter_lines())
    assert "CANARY-1234" not in body and "content_filter" in body


def test_upstream_failure_is_502(server: str) -> None:
    response = httpx.post(
        f"{server}/v1/chat/completions", json={"messages": [{"role": "user", "content": "upstream-fails"}]}
    )
    assert response.status_code == 502 and response.json()["error"]["type"] == "upstream_error"


def test_metrics_count_without_text(server: str) -> None:
    httpx.post(f"{server}/v1/guard/input", json={"text": "my very private sentence"})
    metrics = httpx.get(f"{server}/metrics").text
    assert 'raikit_guard_checks_total{action="allow",policy="light",stage="input"}' in metrics
    assert "private sentence" not in metrics


def test_api_keys(tmp_path: Path) -> None:
    proc, base = _start(tmp_path, "--api-key", KEY)
    try:
        assert httpx.post(f"{base}/v1/guard/input", json={"text": "hi"}).status_code == 401
        wrong = httpx.post(f"{base}/v1/guard/input", json={"text": "hi"}, headers={"x-api-key": "nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "unauthorized"
        good = httpx.post(
            f"{base}/v1/guard/input", json={"text": "hi"}, headers={"authorization": f"Bearer {KEY}"}
        )
        assert good.status_code == 200
        assert httpx.get(f"{base}/healthz").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_public_address_without_key_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "raikit.cli", "serve", "--host", "0.0.0.0", "--no-warm-up"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "API key" in result.stderr
