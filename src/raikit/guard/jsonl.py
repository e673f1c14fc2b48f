"""Batch scanning of JSONL files: the engine behind ``raikit guard scan``.

Input lines are ``{"id", "text"}`` or ``{"id", "messages": [...]}``, with an optional ``"prompt"``
at the output stage. Output lines keep input order and carry the fixed contract fields. A
malformed line is reported with its line number and skipped; it never ends the run. With
``resume``, ids already in the output file are skipped and new lines are appended.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from raikit.core.types import Message
from raikit.guard.pipeline import Guard, InputTooLargeError
from raikit.guard.types import ScanContext, ScanInput, Stage


class ScanItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int
    text: str | None = None
    messages: list[Message] | None = None
    prompt: str | None = None


class ScanSummary(BaseModel):
    scanned: int = 0
    skipped_existing: int = 0
    malformed: int = 0
    blocked: int = 0
    seconds: float = 0.0


def parse_line(line: str) -> ScanItem:
    """Parse one input line or raise ValueError with a readable reason."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise ValueError("expected a JSON object")
    try:
        item = ScanItem.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{'.'.join(str(p) for p in err['loc']) or 'line'}: {err['msg']}") from exc
    if (item.text is None) == (item.messages is None):
        raise ValueError('needs exactly one of "text" or "messages"')
    return item


def scan_item(guard: Guard, item: ScanItem, stage: Stage) -> dict[str, Any]:
    """The contract output line for one item; ``latency_ms`` is the whole rail's time."""
    data: ScanInput = item.text if item.text is not None else (item.messages or [])
    start = time.perf_counter()
    try:
        if stage == "output":
            text = data if isinstance(data, str) else "\n".join(m.content for m in data)
            result = guard.scan_output(text, prompt=item.prompt)
        else:
            result = guard.scan_input(data, ScanContext(stage="input"))
    except InputTooLargeError as exc:
        return {
            "id": item.id,
            "allowed": False,
            "risk": 1.0,
            "categories": {},
            "action": "block",
            "error": str(exc),
            "latency_ms": round((time.perf_counter() - start) * 1000.0, 3),
        }
    line = {"id": item.id, **result.to_contract()}
    line["latency_ms"] = round((time.perf_counter() - start) * 1000.0, 3)
    return line


def _existing_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                break  # a torn last line from a killed run: everything after it is redone
    return ids


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def scan_file(
    guard: Guard,
    source: Path,
    dest: Path,
    *,
    stage: Stage,
    resume: bool = False,
    on_error: Callable[[int, str], None] = lambda n, msg: None,
    on_progress: Callable[[ScanSummary], None] = lambda s: None,
) -> ScanSummary:
    summary = ScanSummary()
    start = time.perf_counter()
    done = _existing_ids(dest) if resume else set()
    if resume and dest.exists():
        _truncate_torn_tail(dest)
    mode = "a" if resume else "w"
    with dest.open(mode, encoding="utf-8") as out:
        for number, line in _lines(source):
            try:
                item = parse_line(line)
            except ValueError as exc:
                summary.malformed += 1
                on_error(number, str(exc))
                continue
            if str(item.id) in done:
                summary.skipped_existing += 1
                continue
            result = scan_item(guard, item, stage)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
            summary.scanned += 1
            summary.blocked += 0 if result["allowed"] else 1
            if summary.scanned % 100 == 0:
                on_progress(summary)
    summary.seconds = time.perf_counter() - start
    return summary


def _truncate_torn_tail(path: Path) -> None:
    """Drop a half-written last line left by a killed run, so appended lines stay valid JSONL."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])
