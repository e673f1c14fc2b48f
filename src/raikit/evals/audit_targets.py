"""The targets of one audit: the model loaded once, a completion cache, and the guard around it.

The audit runs every benchmark twice, without and with the guard. With greedy decoding
(``temperature == 0``) the model gives the same answer to the same conversation, so the guard-on
pass does not need to ask it again: :class:`CachingTarget` keeps every greedy completion in
``completions.sqlite`` in the audit directory, and the guarded target's inner model reads from it.
What the guard-on pass measures is unchanged (input rail, then the model's answer to the possibly
redacted conversation, then the output rail); a conversation the input rail rewrote is a cache
miss and goes to the model. Sampled completions (``temperature > 0``) are never cached.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from raikit.core.errors import StoreError
from raikit.core.types import Completion, Message, StreamEvent
from raikit.evals.executors import OnAttempt, WorkSpec, run_on_threads
from raikit.evals.task import EvalSample, Task
from raikit.guard.pipeline import Guard, RailResult
from raikit.guard.target import GuardedTarget
from raikit.guard.types import ScanContext, ScanInput, Stage
from raikit.models import GenerateConfig, Target, get_target
from raikit.models.base import BaseTarget
from raikit.models.config import RetryPolicy

CACHE_FILENAME = "completions.sqlite"


class CompletionCache:
    """Greedy completions by (model, conversation, settings), in one SQLite file; thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS completion (key TEXT PRIMARY KEY, body TEXT NOT NULL)"
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot use completion cache {path}: {exc}") from exc
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(model: str, messages: Sequence[Message], config: GenerateConfig) -> str:
        payload = {
            "model": model,
            "messages": [m.model_dump(mode="json") for m in messages],
            "config": config.model_dump(mode="json", exclude={"timeout_s"}),
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Completion | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM completion WHERE key = ?", (key,)).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return Completion.model_validate_json(row[0])

    def put(self, key: str, completion: Completion) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO completion (key, body) VALUES (?, ?)",
                (key, completion.model_dump_json()),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CachingTarget(BaseTarget):
    """``inner`` with greedy completions served from, and written to, a :class:`CompletionCache`."""

    def __init__(self, inner: Target, cache: CompletionCache) -> None:
        # The inner target already retries; retrying again here would multiply the attempts.
        super().__init__(inner.name, retry=RetryPolicy(attempts=1))
        self.inner = inner
        self.cache = cache
        self.max_concurrency = getattr(inner, "max_concurrency", None)

    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        if config.temperature > 0:
            return self.inner.generate(messages, config)
        key = CompletionCache.key(self.inner.name, messages, config)
        cached = self.cache.get(key)
        if cached is not None:
            return cached.model_copy(update={"metadata": {**cached.metadata, "cached": True}})
        completion = self.inner.generate(messages, config)
        self.cache.put(key, completion)
        return completion

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        completion = self._complete(messages, config)
        yield StreamEvent(delta=completion.text)
        yield StreamEvent(finish_reason=completion.finish_reason, usage=completion.usage)

    def close(self) -> None:
        self.inner.close()


class CountingGuard(Guard):
    """A guard that counts its scans and its scanners' failures (errors and timeouts fail closed)."""

    def __init__(self, policy: str) -> None:
        super().__init__(policy)
        self._count_lock = threading.Lock()
        self.scans = 0
        self.failures: dict[str, int] = {}

    def reset_counts(self) -> None:
        with self._count_lock:
            self.scans = 0
            self.failures = {}

    def scan(self, data: ScanInput, stage: Stage, context: ScanContext | None = None) -> RailResult:
        result = super().scan(data, stage, context)
        with self._count_lock:
            self.scans += 1
            for name in result.failed:
                self.failures[name] = self.failures.get(name, 0) + 1
        return result


class AuditExecutor:
    """Runs every benchmark of an audit on one model instance and one guard instance.

    ``spec.guard`` picks the pass: ``None`` is the bare (cached) model, a policy name puts it behind
    that guard. Loading the model and the guard's encoders once saves minutes on a quick audit.
    """

    def __init__(self, target: str, cache_path: Path, *, concurrency: int = 1) -> None:
        self.target_string = target
        self.cache_path = cache_path
        self.concurrency = concurrency
        self._inner: Target | None = None
        self._model: CachingTarget | None = None
        self._guards: dict[str, CountingGuard] = {}
        self._guarded: dict[str, Target] = {}

    def prepare_target(self) -> None:
        """Build the model now, so a bad target string fails before anything is written."""
        if self._inner is None:
            self._inner = get_target(self.target_string)

    def prepare_guard(self, policy: str) -> None:
        """Build and warm up the guard now (its encoders load before the first timed scan).

        An unknown policy fails fast. ``ImportError`` means the guard's extra is missing: a scanner
        that cannot be imported would otherwise fail closed and block every request.
        """
        if policy in self._guards:
            return
        guard = CountingGuard(policy)
        for rail in (guard.scan_input("warm up"), guard.scan_output("warm up", prompt="warm up")):
            missing = [r.name for r in rail.scanners if r.error in ("ImportError", "ModuleNotFoundError")]
            if missing:
                raise ImportError(f"guard scanners {', '.join(missing)} cannot load their dependencies")
        guard.reset_counts()
        self._guards[policy] = guard

    def _bare(self) -> CachingTarget:
        if self._model is None:
            self.prepare_target()
            assert self._inner is not None
            self._model = CachingTarget(self._inner, CompletionCache(self.cache_path))
        return self._model

    def _target_for(self, guard: str | None) -> Target:
        if guard is None:
            return self._bare()
        if guard not in self._guarded:
            self.prepare_guard(guard)
            self._guarded[guard] = GuardedTarget(self._bare(), self._guards[guard])
        return self._guarded[guard]

    def run(
        self,
        spec: WorkSpec,
        task: Task,
        samples: Sequence[EvalSample],
        config_hash: str,
        on_attempt: OnAttempt,
    ) -> None:
        if not samples:
            return
        target = self._target_for(spec.guard)
        run_on_threads(target, spec, task, samples, config_hash, on_attempt, self.concurrency)

    def guard_health(self) -> dict[str, Any]:
        """Scans run by the guards, and scanner errors or timeouts (which fail closed: they block)."""
        scans = sum(g.scans for g in self._guards.values())
        failures: dict[str, int] = {}
        for guard in self._guards.values():
            for name, count in guard.failures.items():
                failures[name] = failures.get(name, 0) + count
        return {"scans": scans, "scanner_failures": failures}

    def cache_stats(self) -> dict[str, int]:
        if self._model is None:
            return {"hits": 0, "misses": 0}
        return {"hits": self._model.cache.hits, "misses": self._model.cache.misses}

    def close(self) -> None:
        if self._model is not None:
            self._model.cache.close()
            self._model = None
        if self._inner is not None:
            self._inner.close()
            self._inner = None
        self._guarded.clear()
        self._guards.clear()
