"""``create_workbench_app()``: the human red-teaming workbench as a FastAPI app.

``GET /`` serves one self-contained page (no CDN, no external assets). The JSON API behind it:

- ``GET /api/meta``: harm categories, languages, labels and the techniques (text and
  conversation outputs) the page offers;
- ``POST /api/preview``: apply techniques to a prompt without sending it;
- ``GET|POST /api/sessions``: list sessions, or open one against ``{"target", "guard"?, "name"?}``;
- ``GET /api/sessions/{id}``: a session and its turns;
- ``POST /api/sessions/{id}/send``: apply techniques and send, continuing the current
  conversation (``new_thread`` starts another);
- ``POST /api/sessions/{id}/turns/{n}/label``: label a turn;
- ``GET /api/coverage``: turns and labelled successes per category and technique.

Errors are JSON ``{"error": "..."}``: 400 bad target or technique, 404 unknown session or turn,
422 malformed body, 502 the target failed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from raikit.core.errors import RaikitError
from raikit.core.taxonomy import load_taxonomy
from raikit.models.errors import TargetConfigError, TargetError
from raikit.redteam.attackers.operators import TechniqueOperators
from raikit.redteam.attackers.red_lm import LANGUAGE_NAMES
from raikit.redteam.techniques import TechniqueLibrary
from raikit.redteam.workbench.sessions import (
    LABELS,
    LabelRequest,
    SendRequest,
    UnknownSessionError,
    Workbench,
)


class OpenSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: str = Field(min_length=1, max_length=500)
    guard: str | None = Field(default=None, max_length=100)
    name: str = Field(default="", max_length=200)


class Preview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=20_000)
    techniques: list[str] = Field(default_factory=list, max_length=3)
    seed: int = 0


class _UpstreamError(Exception):
    """The target failed on a turn (the failed turn is stored with its error)."""


def _page() -> str:
    return files("raikit.redteam.workbench").joinpath("page.html").read_text(encoding="utf-8")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split())}, status_code=status)


def create_workbench_app(root: str | Path, *, library: TechniqueLibrary | None = None) -> FastAPI:
    """The workbench app; sessions are stored under ``root``, one run directory each."""
    operators = TechniqueOperators(library)
    bench = Workbench(root, operators=operators)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        bench.close()

    app = FastAPI(title="raikit red-teaming workbench", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.workbench = bench

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return _error(422, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(UnknownSessionError)
    async def _unknown(_: Request, exc: UnknownSessionError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(TargetError)
    async def _target_failed(_: Request, exc: TargetError) -> JSONResponse:
        status = 400 if isinstance(exc, TargetConfigError) else 502
        return _error(status, str(exc))

    @app.exception_handler(RaikitError)
    async def _bad_input(_: Request, exc: RaikitError) -> JSONResponse:
        return _error(400, str(exc))

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse(_page())

    @app.get("/api/meta")
    def meta() -> dict[str, Any]:
        taxonomy = load_taxonomy()
        techniques = [
            {
                "id": t.info.id,
                "category": t.info.category,
                "description": t.info.description,
                "output": t.info.output,
            }
            for t in operators.library.list()
            if t.info.output != "image"
        ]
        return {
            "categories": [h.id for h in taxonomy.harm_categories],
            "languages": LANGUAGE_NAMES,
            "labels": list(LABELS),
            "techniques": techniques,
        }

    @app.post("/api/preview")
    def preview(body: Preview) -> dict[str, Any]:
        result = operators.apply(body.prompt, body.techniques, body.seed)
        return {"applied": list(result.applied), "output": result.output, "rendered": result.render()}

    @app.get("/api/sessions")
    def sessions() -> list[dict[str, Any]]:
        return bench.sessions()

    @app.post("/api/sessions", status_code=201)
    def open_session(body: OpenSession) -> dict[str, Any]:
        session = bench.create(body.target, body.guard or None, body.name)
        return {"id": session.id, "target": session.target_spec, "turns": []}

    @app.get("/api/sessions/{session_id}")
    def session(session_id: str) -> dict[str, Any]:
        found = bench.get(session_id)
        return {"id": found.id, "target": found.target_spec, "turns": [t.model_dump() for t in found.turns()]}

    @app.post("/api/sessions/{session_id}/send")
    def send(session_id: str, body: SendRequest) -> dict[str, Any]:
        turn = bench.get(session_id).send(body, operators, bench.config)
        if turn.error is not None:
            raise _UpstreamError(turn.error)
        return turn.model_dump()

    @app.post("/api/sessions/{session_id}/turns/{turn}/label")
    def label(session_id: str, turn: int, body: LabelRequest) -> dict[str, Any]:
        return bench.get(session_id).label(turn, body).model_dump()

    @app.get("/api/coverage")
    def coverage() -> dict[str, Any]:
        return bench.coverage()

    @app.exception_handler(_UpstreamError)
    async def _upstream(_: Request, exc: _UpstreamError) -> JSONResponse:
        return _error(502, f"the target failed: {exc}")

    return app
