"""Workbench sessions: a human red-teamer's conversations with one target, kept in the results store.

Each session is a run directory under the workbench root (``kind = redteam-workbench``). Two kinds
of rows share its attempt table, told apart by ``metadata["type"]``:

* ``turn``: one prompt the expert sent (after the chosen techniques), the target's answer, the
  conversation so far, the guard's verdict and the refusal judge's score;
* ``label``: the expert's judgement of a turn (``success``, ``partial``, ``failure`` or
  ``unclear``) with a note. Labels are appended, never edited: the latest one counts, and the
  history stays as an audit trail.

Sessions survive a restart of the workbench: they are reopened from disk on first use.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.errors import RaikitError
from raikit.core.store import ResultsStore, list_runs
from raikit.core.types import Attempt, Message, Score
from raikit.evals.judges.refusal import RefusalJudge
from raikit.models import GenerateConfig, Target, get_target
from raikit.redteam.attackers.operators import TechniqueOperators
from raikit.redteam.attackers.scoring import guard_verdict
from raikit.redteam.delivery import deliver
from raikit.redteam.techniques import TechniqueResult

KIND = "redteam-workbench"
Label = Literal["success", "partial", "failure", "unclear"]
LABELS: tuple[str, ...] = get_args(Label)
_SESSION_ID = re.compile(r"^[a-z0-9-]{6,64}$")


class UnknownSessionError(RaikitError):
    """No workbench session has this id."""


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=20_000)
    techniques: list[str] = Field(default_factory=list, max_length=3)
    category: str = Field(default="uncategorised", pattern=r"^[a-z][a-z0-9_]*$")
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    seed: int = 0
    new_thread: bool = False


class LabelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label
    note: str = Field(default="", max_length=4000)


class Turn(BaseModel):
    turn: int
    thread: int
    category: str
    language: str
    techniques: list[str]
    payload: str
    sent: list[dict[str, str]]
    response: str
    blocked: bool
    refusal: bool
    label: str | None = None
    note: str = ""
    error: str | None = None


def _messages_json(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


class Session:
    """One open session: its target (built lazily), its store and a lock serialising its turns."""

    def __init__(self, session_id: str, run_dir: Path, target_spec: str, store: ResultsStore) -> None:
        self.id = session_id
        self.run_dir = run_dir
        self.target_spec = target_spec
        self.store = store
        self.lock = threading.Lock()
        self._target: Target | None = None

    @property
    def target(self) -> Target:
        if self._target is None:
            self._target = get_target(self.target_spec)
        return self._target

    def records(self) -> list[Attempt]:
        return list(self.store.attempts())

    def turns(self) -> list[Turn]:
        labels: dict[int, tuple[str, str]] = {}
        turns: list[Turn] = []
        for attempt in self.records():
            meta = attempt.metadata
            if meta.get("type") == "label":
                labels[int(meta["turn"])] = (str(meta["label"]), str(meta.get("note", "")))
            elif meta.get("type") == "turn":
                turns.append(_turn_of(attempt))
        for turn in turns:
            if turn.turn in labels:
                turn.label, turn.note = labels[turn.turn]
        return turns

    def history(self, thread: int) -> list[Message]:
        """The conversation of ``thread`` so far (prompts as sent and the answers)."""
        messages: list[Message] = []
        for attempt in self.records():
            meta = attempt.metadata
            if meta.get("type") == "turn" and meta.get("thread") == thread and attempt.error is None:
                messages = list(attempt.messages)
        return messages

    def send(self, request: SendRequest, operators: TechniqueOperators, config: GenerateConfig) -> Turn:
        with self.lock:
            previous = self.turns()
            number = len(previous) + 1
            thread = (previous[-1].thread if previous else 1) + (1 if request.new_thread and previous else 0)
            result = operators.apply(request.prompt, request.techniques, request.seed)
            history = self.history(thread)
            combined = TechniqueResult(
                result.original,
                result.output,
                (*history, *result.messages),
                result.applied,
                result.seed,
                result.image,
            )
            meta: dict[str, Any] = {
                "type": "turn",
                "turn": number,
                "thread": thread,
                "category": request.category,
                "language": operators.language_of(result.applied, request.language),
                "techniques": list(result.applied),
                "sent": _messages_json(result.messages),
            }
            base = Attempt(
                item_id=f"turn-{number:05d}",
                prompt=request.prompt,
                transformed_prompt=result.render(),
                messages=list(combined.messages),
                target=self.target_spec,
                metadata=meta,
            )
            start = time.perf_counter()
            try:
                delivery = deliver(self.target, combined, config)
            except RaikitError as exc:
                attempt = base.model_copy(update={"error": str(exc)})
                self.store.record(attempt)
                return _turn_of(attempt)
            blocked, guard_risk = guard_verdict(delivery.completions)
            verdict = RefusalJudge().judge(delivery.response)
            attempt = base.model_copy(
                update={
                    "messages": list(delivery.transcript),
                    "response": delivery.response,
                    "scores": {
                        "blocked": Score(name="blocked", value=float(blocked)),
                        "guard_risk": Score(name="guard_risk", value=guard_risk),
                        "refusal": Score(name="refusal", value=verdict.score, label=str(verdict.refusal)),
                    },
                    "timings": {"target_s": time.perf_counter() - start},
                }
            )
            self.store.record(attempt)
            return _turn_of(attempt)

    def label(self, turn: int, request: LabelRequest) -> Turn:
        with self.lock:
            turns = {t.turn: t for t in self.turns()}
            if turn not in turns:
                raise UnknownSessionError(f"session {self.id} has no turn {turn}")
            count = sum(1 for a in self.records() if a.metadata.get("type") == "label")
            self.store.record(
                Attempt(
                    item_id=f"label-{count + 1:05d}",
                    prompt=request.label,
                    target=self.target_spec,
                    metadata={"type": "label", "turn": turn, "label": request.label, "note": request.note},
                )
            )
            labelled = turns[turn]
            labelled.label, labelled.note = request.label, request.note
            return labelled

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        self.store.close()


def _turn_of(attempt: Attempt) -> Turn:
    meta = attempt.metadata
    refusal = attempt.scores.get("refusal")
    blocked = attempt.scores.get("blocked")
    return Turn(
        turn=int(meta["turn"]),
        thread=int(meta.get("thread", 1)),
        category=str(meta.get("category", "uncategorised")),
        language=str(meta.get("language", "en")),
        techniques=list(meta.get("techniques", [])),
        payload=attempt.prompt,
        sent=list(meta.get("sent", [])),
        response=attempt.response or "",
        blocked=blocked is not None and blocked.value >= 0.5,
        refusal=refusal is not None and refusal.label == "True",
        error=attempt.error,
    )


class Workbench:
    """All sessions under ``root``; open sessions are cached, closed ones reopened from disk."""

    def __init__(self, root: str | Path, *, operators: TechniqueOperators | None = None) -> None:
        self.root = Path(root)
        self.operators = operators or TechniqueOperators()
        self.config = GenerateConfig(max_tokens=256)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, target: str, guard: str | None = None, name: str = "") -> Session:
        spec = f"guarded:{guard}@{target}" if guard else target
        get_target(spec).close()  # fail now, with a clear message, if the target string is bad
        session_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        run_dir = self.root / session_id
        store = ResultsStore(run_dir)
        store.init_run(
            session_id, kind=KIND, target=spec, config={"target": spec, "name": name}, resume=False
        )
        session = Session(session_id, run_dir, spec, store)
        with self._lock:
            self._sessions[session_id] = session
        return session

    def get(self, session_id: str) -> Session:
        if not _SESSION_ID.match(session_id):
            raise UnknownSessionError(f"no workbench session {session_id!r}")
        with self._lock:
            if session_id in self._sessions:
                return self._sessions[session_id]
            run_dir = self.root / session_id
            if not (run_dir / "results.sqlite").is_file():
                raise UnknownSessionError(f"no workbench session {session_id!r}")
            store = ResultsStore(run_dir, create=False)
            info = store.run_info()
            if info is None or info.kind != KIND:
                store.close()
                raise UnknownSessionError(f"{run_dir} is not a workbench session")
            session = Session(session_id, run_dir, info.target, store)
            self._sessions[session_id] = session
            return session

    def sessions(self) -> list[dict[str, Any]]:
        return [
            {
                "id": info.run_id,
                "target": info.target,
                "name": info.config.get("name", ""),
                "created_at": info.created_at,
                "records": info.n_attempts,
            }
            for info in list_runs(self.root)
            if info.kind == KIND
        ]

    def coverage(self) -> dict[str, Any]:
        """Turns and labelled successes per category and per technique, over all sessions."""
        by_category: dict[str, dict[str, int]] = {}
        by_technique: dict[str, dict[str, int]] = {}
        for entry in self.sessions():
            for turn in self.get(entry["id"]).turns():
                if turn.error is not None:
                    continue
                keys = [(by_category, turn.category)] + [
                    (by_technique, t) for t in turn.techniques or ["none"]
                ]
                for table, key in keys:
                    row = table.setdefault(key, {"turns": 0, "labelled": 0, "success": 0, "blocked": 0})
                    row["turns"] += 1
                    row["labelled"] += turn.label is not None
                    row["success"] += turn.label in ("success", "partial")
                    row["blocked"] += turn.blocked
        return {
            "by_category": dict(sorted(by_category.items())),
            "by_technique": dict(sorted(by_technique.items())),
        }

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()


__all__ = [
    "LABELS",
    "LabelRequest",
    "SendRequest",
    "Session",
    "Turn",
    "UnknownSessionError",
    "Workbench",
]
