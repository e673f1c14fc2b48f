"""``openai:http://HOST:PORT/v1#model=NAME`` — any OpenAI-compatible chat-completions server.

Works with vLLM, Ollama, llama.cpp's server, LiteLLM and the OpenAI API itself. Streaming uses
server-sent events. The API key is read from an environment variable (``OPENAI_API_KEY`` by
default, or the one named by ``#key_env=NAME``), never from the target string.
Options: ``model``, ``key_env``, ``stream_usage`` (ask for usage in streams; default true), and
for vision models ``vision=true`` with ``image_max_side``, ``image_format``, ``image_max_bytes``
(see :mod:`raikit.models.images`): pictures then go as chat content parts, the text first and
each picture as an ``image_url`` part holding a ``data:image/...;base64,`` URL.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse, connect_sse

from raikit.core.types import Completion, FinishReason, Message, StreamEvent, Usage, coerce_finish_reason
from raikit.models.config import GenerateConfig
from raikit.models.errors import (
    TargetConfigError,
    TargetError,
    TargetResponseError,
    TargetTimeoutError,
    TargetUnavailableError,
)
from raikit.models.images import (
    IMAGE_OPTIONS,
    ImageInputTarget,
    ImageSettings,
    PreparedImage,
    image_settings,
    last_user_index,
)
from raikit.models.registry import target_factory

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def _usage(payload: Mapping[str, Any] | None) -> Usage | None:
    if not payload:
        return None
    return Usage(
        prompt_tokens=int(payload.get("prompt_tokens") or 0),
        completion_tokens=int(payload.get("completion_tokens") or 0),
    )


def chat_messages(messages: Sequence[Message], images: Sequence[PreparedImage] = ()) -> list[dict[str, Any]]:
    """The wire form of a conversation; ``images`` become content parts of the last user message."""
    wire: list[dict[str, Any]] = [{"role": m.role, "content": m.content} for m in messages]
    if not images:
        return wire
    pictures = [{"type": "image_url", "image_url": {"url": image.data_url()}} for image in images]
    index = last_user_index(messages)
    if index is None:
        wire.append({"role": "user", "content": pictures})
        return wire
    text = messages[index].content
    wire[index]["content"] = [{"type": "text", "text": text}, *pictures] if text else pictures
    return wire


class OpenAICompatibleTarget(ImageInputTarget):
    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        stream_usage: bool = True,
        images: ImageSettings | None = None,
    ) -> None:
        super().__init__(name, images=images)
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.stream_usage = stream_usage
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client: httpx.Client | None = None

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(headers=self._headers)
        return self._client

    def _timeout(self, config: GenerateConfig) -> httpx.Timeout:
        return httpx.Timeout(config.timeout_s, connect=min(10.0, config.timeout_s or 10.0))

    def _payload(
        self,
        messages: list[Message],
        config: GenerateConfig,
        *,
        stream: bool,
        images: Sequence[PreparedImage] = (),
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model or "default",
            "messages": chat_messages(messages, images),
            "max_tokens": config.max_tokens,
            "temperature": config.temperature,
            "stream": stream,
        }
        if config.top_p is not None:
            payload["top_p"] = config.top_p
        if config.stop:
            payload["stop"] = list(config.stop)
        if config.seed is not None:
            payload["seed"] = config.seed
        if stream and self.stream_usage:
            payload["stream_options"] = {"include_usage": True}
        if config.tools and not stream:
            payload["tools"] = list(config.tools)
        return payload

    def _translate(self, exc: httpx.HTTPError) -> TargetError:
        url = f"{self.base_url}/chat/completions"
        if isinstance(exc, httpx.TimeoutException):
            return TargetTimeoutError(f"{self.name}: timed out waiting for {url}", retryable=True)
        if isinstance(exc, httpx.TransportError):
            return TargetUnavailableError(f"cannot reach {url}: {exc or type(exc).__name__}")
        return TargetResponseError(f"{self.name}: {exc}")

    def _check(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        try:
            detail = response.text[:300].strip()  # the server's own words: why it refused
        except httpx.ResponseNotRead:
            detail = ""
        message = f"{self.name}: HTTP {response.status_code} from {response.request.url}"
        if detail:
            message += f": {detail}"
        if response.status_code in _RETRY_STATUS:
            raise TargetUnavailableError(message)
        raise TargetResponseError(message)

    def _parse(self, body: Any) -> Completion:
        try:
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
            tool_calls = choice["message"].get("tool_calls")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise TargetResponseError(f"{self.name}: malformed chat completion: {str(body)[:200]}") from exc
        return Completion(
            text=text,
            finish_reason=coerce_finish_reason(choice.get("finish_reason")),
            usage=_usage(body.get("usage")) or Usage(),
            model=str(body.get("model") or self.model or ""),
            metadata={"tool_calls": tool_calls} if isinstance(tool_calls, list) and tool_calls else {},
        )

    def _event(self, sse: ServerSentEvent) -> tuple[str, FinishReason | None, Usage | None] | None:
        if sse.data.strip() == "[DONE]":
            return None
        try:
            chunk = json.loads(sse.data)
        except json.JSONDecodeError as exc:
            raise TargetResponseError(f"{self.name}: malformed stream chunk: {sse.data[:200]}") from exc
        if "error" in chunk:
            raise TargetResponseError(f"{self.name}: server error in stream: {chunk['error']}")
        delta, finish = "", None
        for choice in chunk.get("choices") or []:
            delta += (choice.get("delta") or {}).get("content") or ""
            if choice.get("finish_reason"):
                finish = coerce_finish_reason(choice["finish_reason"])
        return delta, finish, _usage(chunk.get("usage"))

    # -- sync ----------------------------------------------------------------------------------
    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        return self._complete_with_images(messages, config, ())

    def _complete_with_images(
        self, messages: list[Message], config: GenerateConfig, images: Sequence[PreparedImage]
    ) -> Completion:
        try:
            response = self.client.post(
                f"{self.base_url}/chat/completions",
                json=self._payload(messages, config, stream=False, images=images),
                timeout=self._timeout(config),
            )
        except httpx.HTTPError as exc:
            raise self._translate(exc) from exc
        self._check(response)
        return self._parse(response.json())

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        finish: FinishReason = "unknown"
        usage: Usage | None = None
        count = 0
        try:
            with connect_sse(
                self.client,
                "POST",
                f"{self.base_url}/chat/completions",
                json=self._payload(messages, config, stream=True),
                timeout=self._timeout(config),
            ) as source:
                if source.response.status_code >= 400:
                    source.response.read()
                    self._check(source.response)
                for sse in source.iter_sse():
                    parsed = self._event(sse)
                    if parsed is None:
                        break
                    delta, finish_now, usage_now = parsed
                    finish = finish_now or finish
                    usage = usage_now or usage
                    if delta:
                        count += 1
                        yield StreamEvent(delta=delta)
        except httpx.HTTPError as exc:
            raise self._translate(exc) from exc
        yield StreamEvent(finish_reason=finish, usage=usage or Usage(completion_tokens=count))

    # -- async ---------------------------------------------------------------------------------
    async def _acomplete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        async with httpx.AsyncClient(headers=self._headers) as client:
            try:
                response = await client.post(
                    f"{self.base_url}/chat/completions",
                    json=self._payload(messages, config, stream=False),
                    timeout=self._timeout(config),
                )
            except httpx.HTTPError as exc:
                raise self._translate(exc) from exc
            self._check(response)
            return self._parse(response.json())

    async def _astream(self, messages: list[Message], config: GenerateConfig) -> AsyncIterator[StreamEvent]:
        finish: FinishReason = "unknown"
        usage: Usage | None = None
        count = 0
        async with httpx.AsyncClient(headers=self._headers) as client:
            try:
                async with aconnect_sse(
                    client,
                    "POST",
                    f"{self.base_url}/chat/completions",
                    json=self._payload(messages, config, stream=True),
                    timeout=self._timeout(config),
                ) as source:
                    if source.response.status_code >= 400:
                        await source.response.aread()
                        self._check(source.response)
                    async for sse in source.aiter_sse():
                        parsed = self._event(sse)
                        if parsed is None:
                            break
                        delta, finish_now, usage_now = parsed
                        finish = finish_now or finish
                        usage = usage_now or usage
                        if delta:
                            count += 1
                            yield StreamEvent(delta=delta)
            except httpx.HTTPError as exc:
                raise self._translate(exc) from exc
        yield StreamEvent(finish_reason=finish, usage=usage or Usage(completion_tokens=count))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@target_factory(
    "openai",
    description="Any OpenAI-compatible chat-completions server (vLLM, Ollama, llama.cpp server, LiteLLM)",
    example="openai:http://127.0.0.1:8000/v1#model=NAME",
)
def openai_target(location: str, options: Mapping[str, str]) -> OpenAICompatibleTarget:
    if not location.startswith(("http://", "https://")):
        raise TargetConfigError(f"openai: expected an http(s) base URL, got {location!r}")
    unknown = set(options) - {"model", "key_env", "stream_usage", *IMAGE_OPTIONS}
    if unknown:
        raise TargetConfigError(f"openai: unknown option(s) {', '.join(sorted(unknown))}")
    key_env = options.get("key_env", "OPENAI_API_KEY")
    if "key_env" in options and key_env not in os.environ:
        raise TargetConfigError(f"openai: environment variable {key_env} (key_env) is not set")
    images = image_settings("openai", options)
    named = ["model"] if "model" in options else []
    named += sorted(k for k in options if k in IMAGE_OPTIONS)
    fragment = "&".join(f"{k}={options[k]}" for k in named)
    name = f"openai:{location}" + (f"#{fragment}" if fragment else "")
    return OpenAICompatibleTarget(
        name,
        location,
        model=options.get("model"),
        api_key=os.environ.get(key_env),
        stream_usage=options.get("stream_usage", "true").lower() not in ("0", "false", "no"),
        images=images,
    )
