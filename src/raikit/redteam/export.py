"""Export a red-teaming run's successful attacks.

* **Findings** (regression items for the evaluation suites, read by ``raikit eval add-finding``):
  one JSON object per line, ``{"id", "dimension", "prompt" | "messages", "expect": "refuse",
  "language", "source", "technique"}``. Single-turn attacks carry ``prompt``; multi-turn ones carry
  ``messages``, the conversation up to and including the last user turn (the answer the item
  expects to be a refusal is left out).
* **Training data** for alignment, in the JSONL chat format of preference data: ``prompt`` (the
  conversation as messages) and ``rejected`` (the answer that broke policy, as an assistant
  message), plus ``id``, ``category`` and ``source``. No ``chosen`` answer is invented here; the
  alignment tools pair it with a safe response.

Files are written through a temporary file renamed into place, so an interrupted export leaves
the previous file intact.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from raikit.core.errors import UnknownCategoryError
from raikit.core.store import ResultsStore
from raikit.core.taxonomy import load_taxonomy
from raikit.core.types import Attempt, Message
from raikit.redteam.attackers.scoring import AttackScores

DEFAULT_DIMENSION = "safety"


def _dimension(category: str) -> str:
    taxonomy = load_taxonomy()
    try:
        return taxonomy.harm(category).dimension
    except UnknownCategoryError:
        return category if category in {d.id for d in taxonomy.dimensions} else DEFAULT_DIMENSION


def successful_attempts(run_dir: str | Path) -> tuple[str, list[Attempt]]:
    """The run's id and its successful attacks, in the order they were made."""
    with ResultsStore(run_dir, read_only=True) as store:
        info = store.run_info()
        run_id = info.run_id if info is not None else Path(run_dir).name
        found = [
            a
            for a in store.attempts(include_errors=False)
            if a.scores and AttackScores.from_scores(a.scores).success
        ]
    return run_id, found


def _conversation(attempt: Attempt) -> list[Message]:
    """The attack up to its last user turn (drop the answer being judged)."""
    messages = list(attempt.messages) or [Message.user(attempt.transformed_prompt or attempt.prompt)]
    while messages and messages[-1].role != "user":
        messages.pop()
    return messages


def _messages_json(messages: list[Message]) -> list[dict[str, str]]:
    """Messages as JSON; an empty answer inside a conversation is written as ``(empty answer)``
    so consumers that require content (``raikit eval add-finding``) accept the item."""
    return [{"role": m.role, "content": m.content or "(empty answer)"} for m in messages]


def _source(run_id: str, attempt: Attempt) -> str:
    return f"raikit-redteam:{attempt.metadata.get('strategy', 'unknown')}:{run_id}"


def finding(run_id: str, attempt: Attempt) -> dict[str, Any]:
    """One regression item for the evaluation suites."""
    meta = attempt.metadata
    messages = _conversation(attempt)
    item: dict[str, Any] = {
        "id": f"{run_id}-{attempt.item_id}",
        "dimension": _dimension(str(meta["category"])),
    }
    non_system = [m for m in messages if m.role != "system"]
    if len(non_system) == 1 and len(messages) == 1:
        item["prompt"] = messages[0].content
    else:
        item["messages"] = _messages_json(messages)
    item.update(
        expect="refuse",
        language=str(meta.get("language", "en")),
        source=_source(run_id, attempt),
        technique="+".join(meta.get("techniques") or []) or "none",
    )
    return item


def training_example(run_id: str, attempt: Attempt) -> dict[str, Any]:
    """One preference-data row: the attack and the answer that must be rejected."""
    return {
        "id": f"{run_id}-{attempt.item_id}",
        "prompt": _messages_json(_conversation(attempt)),
        "rejected": [{"role": "assistant", "content": attempt.response or ""}],
        "category": attempt.metadata.get("category"),
        "source": _source(run_id, attempt),
    }


def _write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write all rows to a sibling temporary file, then rename it over ``path`` in one step."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in rows]
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return len(lines)


def _rows(run_id: str, attempts: list[Attempt], make: Any) -> Iterator[dict[str, Any]]:
    for attempt in attempts:
        yield make(run_id, attempt)


def export_run(
    run_dir: str | Path, *, findings: str | Path | None = None, training: str | Path | None = None
) -> dict[str, int]:
    """Write the requested exports; return how many rows each got."""
    run_id, attempts = successful_attempts(run_dir)
    counts: dict[str, int] = {}
    if findings is not None:
        counts["findings"] = _write_jsonl(findings, _rows(run_id, attempts, finding))
    if training is not None:
        counts["training"] = _write_jsonl(training, _rows(run_id, attempts, training_example))
    return counts
