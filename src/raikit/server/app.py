"""``create_app()``: the guard API, an OpenAI-compatible guarded proxy, health and metrics.

Endpoints (the guard ones are a fixed contract):
- ``POST /v1/guard/input`` and ``POST /v1/guard/output``: ``{"text"}`` or ``{"messages"}``, optional
  ``"prompt"`` (output stage) and ``"policy"``; answer ``{"allowed", "risk", "categories",
  "action", "sanitized"?}``.
- ``POST /v1/chat/completions``: forwards to the configured upstream target behind both rails,
  with SSE streaming.
- ``GET /healthz``, ``GET /metrics`` (Prometheus), ``GET /openapi.json``.
Errors are JSON: 401 (missing or wrong key), 413 (body or text too large), 422 (malformed), 502
(upstream failure). Request text never reaches logs or metrics.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from raikit import __version__
from raikit.core.types import Message
from raikit.guard.pipeline import Guard, InputTooLargeError, RailResult
from raikit.guard.policy import PolicyError, load_policy
from raikit.guard.target import GuardedTarget
from raikit.guard.types import ScanContext, ScanInput, Stage, text_of
from raikit.models import GenerateConfig, Target, TargetError, get_target
from raikit.server.config import ServerConfig
from raikit.server.limits import BodySizeLimit
from raikit.server.metrics import Metrics
from raikit.watermark.server import upload_limits, watermark_router

LOGGER = "raikit.server"


class GuardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    messages: list[Message] | None = None
    prompt: str | None = None
    policy: str | None = None
    documents: list[str] = Field(default_factory=list, max_length=64)
    system_prompt: str | None = None

    @model_validator(mode="after")
    def _one_input(self) -> GuardRequest:
        if (self.text is None) == (self.messages is None):
            raise ValueError('give exactly one of "text" or "messages"')
        return self


class GuardResponse(BaseModel):
    allowed: bool
    risk: float
    categories: dict[str, float]
    action: Literal["allow", "warn", "redact", "block"]
    sanitized: str | None = None
    failed_scanners: list[str] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1, le=32768)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=32768)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    stop: str | list[str] | None = None
    seed: int | None = None


def _error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"type": kind, "message": message, **extra}})


class ServiceState:
    """What one app instance holds: guards per policy, the upstream target, metrics."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        self._guards: dict[str, Guard] = {}
        self._lock = threading.Lock()
        self.upstream: Target | None = None

    def guard(self, name: str | None) -> Guard:
        key = name or self.config.default_policy
        if key not in self.config.policies:
            raise PolicyError(
                f"unknown policy {key!r}; this server offers: {', '.join(sorted(self.config.policies))}"
            )
        with self._lock:
            if key not in self._guards:
                self._guards[key] = Guard(load_policy(self.config.policies[key]))
            return self._guards[key]

    def log(self, rail: RailResult, policy: str, data: ScanInput) -> None:
        """One line per check: decision metadata at info, the request text only at debug."""
        logger = logging.getLogger(LOGGER)
        fired = ",".join(sorted(rail.fired)) or "-"
        logger.info(
            "guard %s policy=%s action=%s risk=%.3f fired=%s latency_ms=%.2f",
            rail.stage,
            policy,
            rail.action,
            rail.risk,
            fired,
            rail.latency_ms,
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("guard %s text=%r sanitized=%r", rail.stage, text_of(data), rail.sanitized)

    def record(self, rail: RailResult, policy: str) -> None:
        self.metrics.checks.labels(rail.stage, policy, rail.action).inc()
        self.metrics.latency.labels(rail.stage).observe(rail.latency_ms / 1000.0)
        for name in rail.failed:
            self.metrics.scanner_failures.labels(name).inc()


def create_app(config: ServerConfig | None = None) -> FastAPI:
    """Build the service. Nothing is loaded until the app starts (lifespan)."""
    settings = config or ServerConfig()
    settings.check()
    state = ServiceState(settings)
    _configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            state.guard(None).warm_up()
        if settings.upstream:
            state.upstream = get_target(settings.upstream)
        yield
        if state.upstream is not None:
            state.upstream.close()

    app = FastAPI(
        title="raikit",
        version=__version__,
        summary="Offline guardrails: input/output moderation, PII redaction and a guarded proxy",
        lifespan=lifespan,
    )
    app.state.raikit = state

    def authorize(
        authorization: str | None = Header(default=None), x_api_key: str | None = Header(default=None)
    ) -> None:
        if not settings.api_keys:
            return
        given = x_api_key or (
            authorization[7:] if authorization and authorization.startswith("Bearer ") else None
        )
        if not given or not any(secrets.compare_digest(given, key) for key in settings.api_keys):
            raise HTTPException(status_code=401, detail="missing or invalid API key")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        state.metrics.errors.labels("422").inc()
        details = [
            {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        first = details[0] if details else {"loc": [], "msg": "malformed request"}
        return _error(422, "invalid_request", f"{'.'.join(first['loc'])}: {first['msg']}", details=details)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        state.metrics.errors.labels(str(exc.status_code)).inc()
        kind = "unauthorized" if exc.status_code == 401 else "http_error"
        return _error(exc.status_code, kind, str(exc.detail))

    @app.exception_handler(InputTooLargeError)
    async def too_large(request: Request, exc: InputTooLargeError) -> JSONResponse:
        state.metrics.errors.labels("413").inc()
        return _error(413, "input_too_large", str(exc))

    @app.exception_handler(PolicyError)
    async def bad_policy(request: Request, exc: PolicyError) -> JSONResponse:
        state.metrics.errors.labels("422").inc()
        return _error(422, "unknown_policy", str(exc))

    @app.exception_handler(TargetError)
    async def upstream_failed(request: Request, exc: TargetError) -> JSONResponse:
        state.metrics.errors.labels("502").inc()
        state.metrics.proxy.labels("upstream_error").inc()
        return _error(502, "upstream_error", str(exc))

    def run_rail(body: GuardRequest, stage: Stage) -> GuardResponse:
        guard = state.guard(body.policy)
        data: ScanInput = body.text if body.text is not None else (body.messages or [])
        context = ScanContext(
            stage=stage, prompt=body.prompt, system_prompt=body.system_prompt, documents=tuple(body.documents)
        )
        rail = guard.scan(data, stage, context)
        state.record(rail, body.policy or settings.default_policy)
        state.log(rail, body.policy or settings.default_policy, data)
        return GuardResponse.model_validate(rail.to_contract())

    @app.post(
        "/v1/guard/input",
        response_model=GuardResponse,
        response_model_exclude_none=True,
        dependencies=[Depends(authorize)],
    )
    def guard_input(body: GuardRequest) -> GuardResponse:
        """Run the input rail on a prompt or a conversation."""
        return run_rail(body, "input")

    @app.post(
        "/v1/guard/output",
        response_model=GuardResponse,
        response_model_exclude_none=True,
        dependencies=[Depends(authorize)],
    )
    def guard_output(body: GuardRequest) -> GuardResponse:
        """Run the output rail on a model's answer (``prompt`` gives the user's request)."""
        return run_rail(body, "output")

    @app.post("/v1/chat/completions", dependencies=[Depends(authorize)], response_model=None)
    def chat_completions(body: ChatRequest, x_raikit_policy: str | None = Header(default=None)) -> Response:
        """OpenAI-compatible chat completions through the guard, streaming included."""
        if state.upstream is None:
            raise HTTPException(status_code=404, detail="no upstream target configured (--upstream)")
        target = GuardedTarget(state.upstream, state.guard(x_raikit_policy))
        stop = (body.stop,) if isinstance(body.stop, str) else tuple(body.stop or ())
        config = GenerateConfig(
            max_tokens=body.max_completion_tokens or body.max_tokens or 256,
            temperature=body.temperature,
            top_p=body.top_p,
            stop=stop,
            seed=body.seed,
            timeout_s=settings.upstream_timeout_s,
        )
        model = body.model or state.upstream.name
        request_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        if body.stream:
            events = _sse(target, body.messages, config, request_id, created, model, state)
            return StreamingResponse(events, media_type="text/event-stream")
        completion = target.generate(body.messages, config)
        state.metrics.proxy.labels("blocked" if completion.finish_reason == "content_filter" else "ok").inc()
        return JSONResponse(
            {
                "id": request_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": completion.text},
                        "finish_reason": completion.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": completion.usage.prompt_tokens,
                    "completion_tokens": completion.usage.completion_tokens,
                    "total_tokens": completion.usage.total_tokens,
                },
                "raikit": completion.metadata.get("guard", {}),
            }
        )

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "policies": sorted(settings.policies),
            "upstream": state.upstream.name if state.upstream else None,
        }

    @app.get("/metrics", dependencies=[Depends(authorize)])
    def metrics() -> Response:
        return Response(state.metrics.render(), media_type="text/plain; version=0.0.4")

    app.include_router(watermark_router(dependencies=[Depends(authorize)]))
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, path_limits=upload_limits())
    return app


CONFIG_ENV = "RAIKIT_SERVER_CONFIG"


def _configure_logging(level: str) -> None:
    """The service logger at ``level``, writing to stderr next to uvicorn's (set up once)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def app_from_env() -> FastAPI:
    """The app of one worker process of ``raikit serve --workers N``: its settings come as JSON in
    the ``RAIKIT_SERVER_CONFIG`` environment variable, set by the parent."""
    raw = os.environ.get(CONFIG_ENV)
    return create_app(ServerConfig.model_validate_json(raw) if raw else None)


def _sse(
    target: GuardedTarget,
    messages: list[Message],
    config: GenerateConfig,
    request_id: str,
    created: int,
    model: str,
    state: ServiceState,
) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> str:
        payload: dict[str, Any] = {
            "id": request_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage is not None:
            payload["usage"] = usage
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant"})
    try:
        for event in target.stream(messages, config):
            if event.delta:
                yield chunk({"content": event.delta})
            if event.done:
                usage = event.usage
                counts = (
                    {
                        "prompt_tokens": usage.prompt_tokens,
                        "completion_tokens": usage.completion_tokens,
                        "total_tokens": usage.total_tokens,
                    }
                    if usage
                    else None
                )
                outcome = "blocked" if event.finish_reason == "content_filter" else "ok"
                state.metrics.proxy.labels(outcome).inc()
                yield chunk({}, event.finish_reason, counts)
    except TargetError as exc:
        state.metrics.proxy.labels("upstream_error").inc()
        yield f"data: {json.dumps({'error': {'type': 'upstream_error', 'message': str(exc)}})}\n\n"
    yield "data: [DONE]\n\n"
