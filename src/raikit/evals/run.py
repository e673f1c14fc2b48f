"""Run a benchmark against a target and keep every attempt in a resumable run directory."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from raikit.core.errors import RunConfigMismatchError
from raikit.core.store import ResultsStore, config_hash
from raikit.core.types import Attempt
from raikit.evals.executors import Executor, LocalExecutor, WorkSpec
from raikit.evals.runner import ProgressReporter, RunStats
from raikit.evals.task import BenchmarkOptions, Task
from raikit.models import GenerateConfig


def changed_settings(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The settings that differ between two run configs, one level of nesting spelled out, e.g.
    ``options.judge_target: none -> "scripted:j.yaml"``."""

    def flat(config: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in config.items():
            if isinstance(value, Mapping):
                out.update({f"{key}.{k}": v for k, v in value.items()})
            else:
                out[key] = value
        return out

    def shown(value: Any) -> str:
        return "none" if value is None else json.dumps(value, sort_keys=True)[:80]

    before, after = flat(old), flat(new)
    keys = sorted((before.keys() | after.keys()) - {"schema_version", "config_hash"})
    diffs = [
        f"{k}: {shown(before.get(k))} -> {shown(after.get(k))}" for k in keys if before.get(k) != after.get(k)
    ]
    return "; ".join(diffs) or "same settings, another config hash"


class EvalResult(BaseModel):
    benchmark: str
    version: int
    target: str
    guard: str | None
    run_dir: str
    n_items: int
    n_errors: int
    summary: dict[str, Any]
    stats: RunStats


def run_eval(
    benchmark: str,
    target: str,
    out_dir: str | Path,
    *,
    guard: str | None = None,
    options: BenchmarkOptions | None = None,
    executor: Executor | None = None,
    config: GenerateConfig | None = None,
    resume: bool = False,
    progress: bool = True,
    task: Task | None = None,
    kind: str = "eval",
    label: str | None = None,
) -> EvalResult:
    """Answer and score every sample not yet in ``out_dir``; each attempt is committed as it arrives."""
    opts = options or BenchmarkOptions()
    draft = WorkSpec(benchmark=benchmark, options=opts, target=target, guard=guard, config=GenerateConfig())
    built = task or draft.build_task()
    try:
        return _run_built(built, draft, out_dir, executor, config, resume, progress, kind, label)
    finally:
        if task is None:  # the task was built here: release its judge targets
            built.close()


def _run_built(
    built: Task,
    draft: WorkSpec,
    out_dir: str | Path,
    executor: Executor | None,
    config: GenerateConfig | None,
    resume: bool,
    progress: bool,
    kind: str,
    label: str | None,
) -> EvalResult:
    benchmark, target, guard, opts = draft.benchmark, draft.target, draft.guard, draft.options
    spec = draft.model_copy(update={"config": config or built.config})
    run_config = {
        "kind": kind,
        "benchmark": benchmark,
        "version": built.version,
        "target": target,
        "guard": guard,
        "options": opts.identity(),
        "generate": spec.config.model_dump(mode="json"),
    }
    digest = config_hash(run_config)
    start = time.perf_counter()
    with ResultsStore(out_dir) as store:
        try:
            store.init_run(
                f"{kind}-{benchmark}-{digest[:8]}",
                kind=kind,
                target=spec.target_string(),
                config=run_config,
                resume=resume,
            )
        except RunConfigMismatchError as exc:
            info = store.run_info()
            if info is None:
                raise
            changed = changed_settings(info.config, run_config)
            raise RunConfigMismatchError(
                f"run dir {out_dir} was started with another config ({changed}); "
                "resume with the same options or choose another directory"
            ) from exc
        done = store.completed_ids()
        todo = [s for s in built.samples if s.id not in done]
        reporter = ProgressReporter(
            len(built.samples), len(built.samples) - len(todo), progress, label or kind
        )
        errors = 0

        def record(attempt: Attempt) -> None:
            nonlocal errors
            errors += attempt.error is not None
            store.record(attempt)
            reporter.advance(attempt.item_id, attempt.error)

        try:
            (executor or LocalExecutor()).run(spec, built, todo, digest, record)
        except BaseException:
            store.set_status("interrupted")
            raise
        finally:
            reporter.close()
        attempts = [a for a in store.attempts() if a.item_id in {s.id for s in built.samples}]
        summary = built.summarise(built.samples, attempts)
        n_errors = sum(1 for a in attempts if a.error is not None)
        stats = RunStats(
            total=len(built.samples),
            skipped=len(built.samples) - len(todo),
            completed=len(todo) - errors,
            errors=errors,
            seconds=time.perf_counter() - start,
        )
        result = EvalResult(
            benchmark=benchmark,
            version=built.version,
            target=target,
            guard=guard,
            run_dir=str(out_dir),
            n_items=len(built.samples),
            n_errors=n_errors,
            summary=summary,
            stats=stats,
        )
        store.set_summary(result.model_dump(mode="json"))
        store.set_status("completed" if n_errors == 0 else "failed")
    return result
