"""``bedrock:MODEL_ID`` — a model on Amazon Bedrock, through the Converse API (boto3).

Example: ``bedrock:anthropic.claude-3-haiku-20240307-v1:0#region=us-east-1``. The model id may
contain ':' (only the first ':' of a target string separates the scheme); inference profile
ids and ARNs work too. Options: ``region`` (default: the AWS SDK's own, e.g. ``AWS_REGION``)
and ``profile`` (a named profile from ``~/.aws/config``). Credentials come from the usual AWS
chain (environment, profile, SSO, instance role), never from the target string.

System messages go to ``system``; the other turns go to ``messages`` with consecutive turns of
the same role merged (Bedrock requires user/assistant alternation) and ``tool`` turns sent as
user text; empty turns are dropped. ``GenerateConfig.seed`` is ignored (Converse has no seed).
botocore's own retries are off: raikit retries transient errors itself. ``timeout_s`` is the
socket read timeout, so it bounds the wait for a whole non-streamed answer.

With ``vision=true`` (and optionally ``image_max_side``, ``image_format``, ``image_max_bytes``;
see :mod:`raikit.models.images`) pictures are sent as Converse ``image`` content blocks (raw
bytes, format png or jpeg) after the text of the last user turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from raikit.core.types import Completion, FinishReason, Message, StreamEvent, Usage
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
from raikit.models.registry import require_extra, target_factory

_OPTIONS = {"region", "profile", *IMAGE_OPTIONS}
_TRANSIENT = {
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "TooManyRequestsException",
}
_STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


def _finish(reason: object) -> FinishReason:
    return _STOP_REASONS.get(str(reason), "unknown")


def _usage(payload: Mapping[str, Any] | None) -> Usage | None:
    if not payload:
        return None
    return Usage(
        prompt_tokens=int(payload.get("inputTokens") or 0),
        completion_tokens=int(payload.get("outputTokens") or 0),
    )


def _image_block(image: PreparedImage) -> dict[str, Any]:
    return {"image": {"format": image.format, "source": {"bytes": image.data}}}


def converse_messages(
    messages: list[Message], images: Sequence[PreparedImage] = ()
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Split a conversation into Converse ``system`` blocks and alternating ``messages``.

    ``images`` are appended to the turn that holds the last user message.
    """
    system: list[dict[str, str]] = []
    turns: list[dict[str, Any]] = []
    pictures_at = last_user_index(messages) if images else None
    for index, message in enumerate(messages):
        blocks: list[dict[str, Any]] = [{"text": message.content}] if message.content else []
        if index == pictures_at:
            blocks += [_image_block(image) for image in images]
        if not blocks:
            continue
        if message.role == "system":
            system.append({"text": message.content})
            continue
        role = "assistant" if message.role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    if images and pictures_at is None:
        blocks = [_image_block(image) for image in images]
        if turns and turns[-1]["role"] == "user":
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": "user", "content": blocks})
    return system, turns


class BedrockTarget(ImageInputTarget):
    """A Bedrock model. One boto3 client per timeout value, created on first use (thread-safe)."""

    def __init__(
        self,
        name: str,
        model_id: str,
        *,
        region: str | None = None,
        profile: str | None = None,
        client: Any = None,
        images: ImageSettings | None = None,
    ) -> None:
        super().__init__(name, images=images)
        self.model_id = model_id
        self.region = region
        self.profile = profile
        self._injected = client
        self._clients: dict[float | None, Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()

    # -- plumbing ----------------------------------------------------------------------------
    def client(self, config: GenerateConfig | None = None) -> Any:
        """The ``bedrock-runtime`` client for this config's timeout (the injected one if given)."""
        if self._injected is not None:
            return self._injected
        timeout = (config or GenerateConfig()).timeout_s
        with self._lock:
            if timeout not in self._clients:
                self._clients[timeout] = self._make_client(timeout)
            return self._clients[timeout]

    def _make_client(self, timeout_s: float | None) -> Any:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, NoRegionError, ProfileNotFound

        boto_config = Config(
            read_timeout=timeout_s if timeout_s is not None else 3600,
            connect_timeout=min(10.0, timeout_s or 10.0),
            retries={"total_max_attempts": 1, "mode": "standard"},
        )
        try:
            if self._session is None:
                self._session = boto3.session.Session(profile_name=self.profile, region_name=self.region)
            return self._session.client("bedrock-runtime", config=boto_config)
        except ProfileNotFound as exc:
            raise TargetConfigError(f"{self.name}: AWS profile {self.profile!r} not found") from exc
        except NoRegionError as exc:
            raise TargetConfigError(
                f"{self.name}: no AWS region: add #region=NAME to the target or set AWS_REGION"
            ) from exc
        except BotoCoreError as exc:
            raise TargetConfigError(f"{self.name}: cannot create the Bedrock client: {exc}") from exc

    def _request(
        self, messages: list[Message], config: GenerateConfig, images: Sequence[PreparedImage] = ()
    ) -> dict[str, Any]:
        system, turns = converse_messages(messages, images)
        inference: dict[str, Any] = {"maxTokens": config.max_tokens, "temperature": config.temperature}
        if config.top_p is not None:
            inference["topP"] = config.top_p
        if config.stop:
            inference["stopSequences"] = list(config.stop)
        request: dict[str, Any] = {"modelId": self.model_id, "messages": turns, "inferenceConfig": inference}
        if system:
            request["system"] = system
        return request

    def _translate(self, exc: Exception) -> TargetError:
        from botocore.exceptions import (
            ClientError,
            HTTPClientError,
            NoCredentialsError,
            PartialCredentialsError,
            ReadTimeoutError,
        )
        from botocore.exceptions import ConnectionError as BotoConnectionError

        if isinstance(exc, ClientError):
            error = exc.response.get("Error") or {}
            code = str(error.get("Code") or "")
            code = code[:1].upper() + code[1:]  # in-stream errors are camelCase
            message = str(error.get("Message") or exc)
            status = int((exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
            text = f"{self.name}: {code or 'error'}: {message}"
            if code == "ModelTimeoutException":
                return TargetTimeoutError(text, retryable=True)
            if code in _TRANSIENT or status == 429 or status >= 500:
                return TargetUnavailableError(text)
            return TargetResponseError(text)
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return TargetConfigError(
                f"no AWS credentials found: {exc} ({self.name}; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or add #profile=NAME to the target)"
            )
        if isinstance(exc, ReadTimeoutError):
            return TargetTimeoutError(f"{self.name}: timed out waiting for Bedrock: {exc}", retryable=True)
        if isinstance(exc, BotoConnectionError | HTTPClientError):
            return TargetUnavailableError(f"{self.name}: cannot reach Bedrock: {exc}")
        return TargetResponseError(f"{self.name}: {exc}")

    def _call(
        self,
        method: str,
        messages: list[Message],
        config: GenerateConfig,
        images: Sequence[PreparedImage] = (),
    ) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client(config)
        try:
            return getattr(client, method)(**self._request(messages, config, images))
        except (BotoCoreError, ClientError) as exc:
            raise self._translate(exc) from exc

    # -- Target ------------------------------------------------------------------------------
    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        return self._complete_with_images(messages, config, ())

    def _complete_with_images(
        self, messages: list[Message], config: GenerateConfig, images: Sequence[PreparedImage]
    ) -> Completion:
        body = self._call("converse", messages, config, images)
        try:
            blocks = body["output"]["message"]["content"]
            text = "".join(str(block["text"]) for block in blocks if "text" in block)
        except (KeyError, TypeError) as exc:
            raise TargetResponseError(f"{self.name}: malformed Converse response: {str(body)[:200]}") from exc
        return Completion(
            text=text,
            finish_reason=_finish(body.get("stopReason")),
            usage=_usage(body.get("usage")) or Usage(),
            model=self.model_id,
        )

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        from botocore.exceptions import BotoCoreError, ClientError

        body = self._call("converse_stream", messages, config)
        stream = body.get("stream")
        if stream is None:
            raise TargetResponseError(f"{self.name}: Converse stream response without a stream")
        finish: FinishReason = "unknown"
        usage: Usage | None = None
        count = 0
        try:
            for event in stream:
                if "contentBlockDelta" in event:
                    text = (event["contentBlockDelta"].get("delta") or {}).get("text")
                    if text:
                        count += 1
                        yield StreamEvent(delta=str(text))
                elif "messageStop" in event:
                    finish = _finish(event["messageStop"].get("stopReason"))
                elif "metadata" in event:
                    usage = _usage(event["metadata"].get("usage")) or usage
        except (BotoCoreError, ClientError) as exc:
            raise self._translate(exc) from exc
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()
        yield StreamEvent(finish_reason=finish, usage=usage or Usage(completion_tokens=count))

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


@target_factory(
    "bedrock",
    description="A model on Amazon Bedrock through the Converse API (needs AWS credentials)",
    example="bedrock:anthropic.claude-3-haiku-20240307-v1:0#region=us-east-1",
    extra="bedrock",
)
def bedrock_target(location: str, options: Mapping[str, str]) -> BedrockTarget:
    require_extra("boto3", scheme="bedrock", extra="bedrock")
    unknown = set(options) - _OPTIONS
    if unknown:
        raise TargetConfigError(f"bedrock: unknown option(s) {', '.join(sorted(unknown))}")
    model_id = location.strip()
    if not model_id:
        raise TargetConfigError("bedrock: expected a model id, e.g. bedrock:amazon.nova-micro-v1:0")
    fragment = "&".join(f"{k}={options[k]}" for k in sorted(options))
    name = f"bedrock:{model_id}" + (f"#{fragment}" if fragment else "")
    return BedrockTarget(
        name,
        model_id,
        region=options.get("region") or None,
        profile=options.get("profile") or None,
        images=image_settings("bedrock", options),
    )
