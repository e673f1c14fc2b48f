"""An offline stand-in for the Bedrock runtime service, hooked into a real botocore client.

botocore's public ``before-send`` event lets a test answer the real, signed HTTP request; the
bytes returned here are parsed by botocore exactly as a network reply would be.
"""

from __future__ import annotations

import binascii
import json
import struct
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse


def _header(name: str, value: str) -> bytes:
    key, val = name.encode(), value.encode()
    return struct.pack("!B", len(key)) + key + b"\x07" + struct.pack("!H", len(val)) + val


def encode_event(event_type: str, payload: dict[str, Any], *, exception: bool = False) -> bytes:
    """One AWS event-stream message (prelude, headers, JSON payload, CRCs)."""
    kind = ":exception-type" if exception else ":event-type"
    headers = (
        _header(kind, event_type)
        + _header(":content-type", "application/json")
        + _header(":message-type", "exception" if exception else "event")
    )
    body = json.dumps(payload).encode()
    prelude = struct.pack("!II", 16 + len(headers) + len(body), len(headers))
    message = prelude + struct.pack("!I", binascii.crc32(prelude)) + headers + body
    return message + struct.pack("!I", binascii.crc32(message))


def stream_bytes(deltas: list[str], stop: str = "end_turn", usage: tuple[int, int] | None = (9, 4)) -> bytes:
    data = encode_event("messageStart", {"role": "assistant"})
    for text in deltas:
        data += encode_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}})
    data += encode_event("contentBlockStop", {"contentBlockIndex": 0})
    data += encode_event("messageStop", {"stopReason": stop})
    if usage is not None:
        meta = {"usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)}}
        data += encode_event("metadata", {**meta, "metrics": {"latencyMs": 3}})
    return data


class RawBody:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data[: len(self.data) // 2]  # split mid-message: the decoder must buffer
        yield self.data[len(self.data) // 2 :]

    def read(self, *_: Any, **__: Any) -> bytes:
        return self.data

    def close(self) -> None:
        pass


class FakeBedrock:
    """Answers ConverseStream HTTP requests with queued (status, headers, body) triples."""

    def __init__(self, *answers: tuple[int, dict[str, str], bytes]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.requests.append({"url": request.url, "body": json.loads(request.body)})
        status, headers, data = self.answers.pop(0)
        return AWSResponse(request.url, status, headers, RawBody(data))


def ok(data: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"content-type": "application/vnd.amazon.eventstream"}, data


class EchoBedrock:
    """Answers Converse and ConverseStream with ``echo: <last user text>``, capped at maxTokens words."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def _words(self, body: dict[str, Any]) -> tuple[list[str], int, bool]:
        last = body["messages"][-1]["content"][-1]["text"]
        words = f"echo: {last}".split()
        cap = int(body.get("inferenceConfig", {}).get("maxTokens", 1000))
        return (
            [w if i == 0 else " " + w for i, w in enumerate(words[:cap])],
            len(words[:cap]),
            len(words) > cap,
        )

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        body = json.loads(request.body)
        self.requests.append(body)
        words, count, cut = self._words(body)
        stop = "max_tokens" if cut else "end_turn"
        prompt_tokens = sum(len(b["text"].split()) for m in body["messages"] for b in m["content"])
        if request.url.endswith("/converse-stream"):
            status, headers, data = ok(stream_bytes(words, stop=stop, usage=(prompt_tokens, count)))
            return AWSResponse(request.url, status, headers, RawBody(data))
        reply = {
            "output": {"message": {"role": "assistant", "content": [{"text": "".join(words)}]}},
            "stopReason": stop,
            "usage": {
                "inputTokens": prompt_tokens,
                "outputTokens": count,
                "totalTokens": prompt_tokens + count,
            },
            "metrics": {"latencyMs": 1},
        }
        return AWSResponse(
            request.url, 200, {"content-type": "application/json"}, RawBody(json.dumps(reply).encode())
        )
