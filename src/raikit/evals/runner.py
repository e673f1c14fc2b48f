"""Send samples to a target, score each answer and record it in the results store as it completes.

Items already recorded without error are skipped, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from raikit.core.store import ResultsStore
from raikit.core.types import Attempt, Completion, Score
from raikit.evals.dataset import Sample
from raikit.models import BatchResult, GenerateConfig, Target

Scorer = Callable[[Sample, Completion], dict[str, Score]]


class RunStats(BaseModel):
    total: int
    skipped: int
    completed: int
    errors: int
    seconds: float


class _Reporter:
    """A progress bar on a terminal, one line per item otherwise (CI logs)."""

    def __init__(self, total: int, done: int, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.total = total
        self.count = done
        self._bar: Progress | None = None
        self._task = None
        if enabled and sys.stderr.isatty():
            self._bar = Progress(
                TextColumn(f"[bold]{label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total, completed=done)
        elif enabled:
            print(f"{label}: {done}/{total} already done", file=sys.stderr, flush=True)

    def advance(self, item_id: str, error: str | None) -> None:
        self.count += 1
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)
        elif self.enabled:
            status = f"error: {error}" if error else "ok"
            print(f"[{self.count}/{self.total}] {item_id} {status}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def run_samples(
    target: Target,
    samples: Sequence[Sample],
    store: ResultsStore,
    scorer: Scorer,
    *,
    config: GenerateConfig,
    config_hash: str,
    concurrency: int = 1,
    progress: bool = True,
    label: str = "raikit",
) -> RunStats:
    """Answer and score every sample not yet recorded; each result is committed when it arrives."""
    start = time.perf_counter()
    done = store.completed_ids()
    todo = [s for s in samples if s.id not in done]
    reporter = _Reporter(len(samples), len(samples) - len(todo), progress, label)
    errors = 0

    def record(index: int, result: BatchResult) -> None:
        nonlocal errors
        sample = todo[index]
        attempt = Attempt(
            item_id=sample.id,
            prompt=sample.prompt,
            messages=sample.messages(),
            target=target.name,
            config_hash=config_hash,
            metadata={"dimension": sample.dimension, "expect": sample.expect, "language": sample.language},
        )
        if isinstance(result, Completion):
            attempt.response = result.text
            attempt.usage = result.usage
            attempt.timings = {"latency_s": result.latency_s}
            attempt.scores = scorer(sample, result)
        else:
            errors += 1
            attempt.error = str(result)
        store.record(attempt)
        reporter.advance(sample.id, attempt.error)

    try:
        target.batch([s.messages() for s in todo], config, concurrency=concurrency, on_result=record)
    finally:
        reporter.close()
    return RunStats(
        total=len(samples),
        skipped=len(samples) - len(todo),
        completed=len(todo) - errors,
        errors=errors,
        seconds=time.perf_counter() - start,
    )
