"""Progress reporting and run statistics shared by evaluation runs."""

from __future__ import annotations

import sys
from collections.abc import Callable

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from raikit.core.types import Completion, Score
from raikit.evals.dataset import Sample

Scorer = Callable[[Sample, Completion], dict[str, Score]]


class RunStats(BaseModel):
    total: int
    skipped: int
    completed: int
    errors: int
    seconds: float


class ProgressReporter:
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
