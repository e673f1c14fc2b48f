"""A tiny scripted HTTP server on 127.0.0.1 for testing HTTP adapters' error handling."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StubResponse:
    status: int = 200
    body: object = None
    sse: list[str] | None = None  # raw `data:` payloads for a streamed answer


@dataclass
class StubState:
    responses: list[StubResponse]
    requests: list[dict[str, object]] = field(default_factory=list)


def chat_body(text: str, *, prompt_tokens: int = 3, completion_tokens: int = 2) -> dict[str, object]:
    return {
        "id": "x",
        "object": "chat.completion",
        "model": "stub",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }


@contextmanager
def stub_server(responses: list[StubResponse]) -> Iterator[tuple[str, StubState]]:
    """Serve ``responses`` in order (the last one repeats); yields the /v1 base URL and the state."""
    state = StubState(responses=list(responses))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "headers": dict(self.headers), "json": payload})
            reply = state.responses.pop(0) if len(state.responses) > 1 else state.responses[0]
            if reply.sse is not None:
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for data in reply.sse:
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()
                return
            body = json.dumps(reply.body if reply.body is not None else {}).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
