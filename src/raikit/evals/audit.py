"""``raikit audit``: a profile of benchmarks run against a target without and with a guard.

Layout of the audit directory ``DIR``:

- ``DIR/audit.json``: the audit's manifest (profile, target, guard, limits) and its config hash; a
  rerun needs ``--resume`` and the same configuration.
- ``DIR/<benchmark>.off`` and ``DIR/<benchmark>.on``: one resumable run directory (``results.sqlite``)
  per benchmark and pass, without and with the guard; ``raikit runs list --root DIR`` lists them.
- ``DIR/completions.sqlite``: the model's greedy answers, so the guard-on pass does not ask the
  model again what the guard-off pass already asked (see :mod:`raikit.evals.audit_targets`).

A benchmark that is not installed, or whose public data is not found, is recorded as skipped with
the reason; the audit never stops for it. The scorecard (:mod:`raikit.report`) is built from the
returned :class:`AuditResult`.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from raikit import __version__
from raikit.core.errors import RaikitError, RunConfigMismatchError, RunExistsError, StoreError
from raikit.core.files import write_text_atomic
from raikit.core.store import config_hash
from raikit.evals.audit_targets import CACHE_FILENAME, AuditExecutor
from raikit.evals.judging import check_judge_target
from raikit.evals.profiles import AuditProfile, ProfileEntry
from raikit.evals.run import changed_settings, run_eval
from raikit.evals.runner import RunStats
from raikit.evals.task import (
    BenchmarkOptions,
    BenchmarkRegistry,
    DataNotFoundError,
    JudgeEscalation,
    Task,
    UnknownBenchmarkError,
    default_benchmark_registry,
)

MANIFEST_FILENAME = "audit.json"
DEFAULT_GUARD = "default"
Pass = Literal["off", "on"]
RunStatus = Literal["completed", "incomplete", "skipped", "failed"]


class BenchmarkRun(BaseModel):
    """One benchmark in one pass (guard off or on): where it is stored and what it measured."""

    benchmark: str
    guard: Pass
    status: RunStatus
    reason: str | None = None
    run_dir: str | None = None
    version: int | None = None
    description: str = ""
    dimensions: list[str] = Field(default_factory=list)
    n_items: int = 0
    n_errors: int = 0
    summary: dict[str, Any] = Field(default_factory=dict)
    stats: RunStats | None = None


class AuditResult(BaseModel):
    target: str
    profile: str
    profile_version: int
    guard_policy: str | None
    guard_status: str
    """``ran``, ``not requested`` or why the guard-on pass could not run."""
    out_dir: str
    started_at: str
    finished_at: str
    wall_s: float
    runs: list[BenchmarkRun]
    host: dict[str, Any]
    cache: dict[str, int]
    guard_health: dict[str, Any] = Field(default_factory=dict)
    refusal_judge: str | None = None
    """``fast classifier`` when None, else the LLM judge's target and escalation."""

    @property
    def n_items(self) -> int:
        return sum(r.n_items for r in self.runs)

    @property
    def n_errors(self) -> int:
        return sum(r.n_errors for r in self.runs)


class AuditOptions(BaseModel):
    """What an audit run depends on; the same options are required to resume it."""

    target: str
    profile: AuditProfile
    guard: str | None = DEFAULT_GUARD
    limit: int | None = Field(default=None, ge=1)
    data_dir: Path | None = None
    from_hub: bool = False
    """Fetch each benchmark's public data from its Hugging Face dataset instead of ``data_dir``."""
    concurrency: int = Field(default=1, ge=1)
    judge_target: str | None = None
    """LLM refusal judge target (None: the fast classifier); recorded in the manifest."""
    judge_escalate: JudgeEscalation = "uncertain"

    def manifest(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "target": self.target,
            "profile": self.profile.model_dump(mode="json"),
            "guard": self.guard,
            "limit": self.limit,
        }
        # keys added later only when used, so audits started before they existed still resume
        if self.judge_target is not None:
            found["judge"] = {"target": self.judge_target, "escalate": self.judge_escalate}
        if self.from_hub:
            found["data"] = "hf"
        return found

    def benchmark_options(self, entry: ProfileEntry) -> BenchmarkOptions:
        """The profile entry's options with the audit's data source and judge."""
        return entry.options(self.data_dir, self.limit).model_copy(
            update={
                "from_hub": self.from_hub,
                "judge_target": self.judge_target,
                "judge_escalate": self.judge_escalate,
            }
        )


def host_info() -> dict[str, Any]:
    """The machine the audit ran on; the load average says how much else was running."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "raikit": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_avg_1_5_15": list(load) if load else None,
    }


def _check_manifest(out_dir: Path, options: AuditOptions, resume: bool) -> None:
    path = out_dir / MANIFEST_FILENAME
    manifest = options.manifest()
    digest = config_hash(manifest)
    if path.exists():
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            old = str(found["config_hash"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{path} is not a raikit audit manifest; choose another directory") from exc
        if not resume:
            raise RunExistsError(
                f"audit dir {out_dir} already holds an audit; pass --resume to continue it or choose another"
            )
        if old != digest:
            changed = changed_settings(found, manifest)
            raise RunConfigMismatchError(
                f"audit dir {out_dir} was started with another config ({changed}): resume with the "
                "original target, profile, guard, limit, judge and data source, or choose another directory"
            )
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        body = {"schema_version": 1, "config_hash": digest, **manifest}
        write_text_atomic(path, json.dumps(body, indent=2))
    except OSError as exc:
        raise StoreError(f"cannot write the audit manifest {path}: {exc.strerror}") from exc


def _build_task(registry: BenchmarkRegistry, entry: ProfileEntry, options: AuditOptions) -> Task | str:
    """The benchmark's task, or the reason it is skipped."""
    try:
        info = registry.info(entry.name)
    except UnknownBenchmarkError:
        return f"benchmark {entry.name!r} is not installed"
    if info.needs_data and options.from_hub and info.hub is None:
        return "has no Hugging Face dataset raikit can load: pass --data DIR"
    if info.needs_data and not options.from_hub and options.data_dir is None:
        return "needs its public data: pass --data DIR (e.g. ../shared/data) or --data hf"
    try:
        return info.factory(options.benchmark_options(entry))
    except DataNotFoundError as exc:
        return str(exc)
    except (ImportError, RaikitError) as exc:
        return f"cannot be built: {exc}"


def _prepare_guard(executor: AuditExecutor, guard: str | None) -> str:
    """Load the guard before any work: a bad policy fails fast, a missing extra skips the pass."""
    if guard is None:
        return "not requested"
    try:
        executor.prepare_guard(guard)
    except ImportError as exc:
        return f"skipped: the guard needs its extra (pip install 'raikit[guard]'): {exc}"
    return "ran"


def run_audit(
    options: AuditOptions, out_dir: str | Path, *, resume: bool = False, progress: bool = True
) -> AuditResult:
    """Run every benchmark of the profile, guard off then guard on, each in its own run directory."""
    folder = Path(out_dir)
    started = datetime.now(UTC)
    start = time.perf_counter()
    registry = default_benchmark_registry()
    executor = AuditExecutor(options.target, folder / CACHE_FILENAME, concurrency=options.concurrency)
    try:
        executor.prepare_target()
        check_judge_target(options.judge_target)
        guard_status = _prepare_guard(executor, options.guard)
        _check_manifest(folder, options, resume)
        passes: list[tuple[Pass, str | None]] = [("off", None)]
        if guard_status == "ran":
            passes.append(("on", options.guard))
        runs: list[BenchmarkRun] = []
        entries = options.profile.benchmarks
        for index, entry in enumerate(entries, start=1):
            task = _build_task(registry, entry, options)
            if isinstance(task, str):
                if progress:
                    print(f"[{index}/{len(entries)}] {entry.name}: skipped ({task})", file=sys.stderr)
                runs += [
                    BenchmarkRun(benchmark=entry.name, guard=p, status="skipped", reason=task)
                    for p, _ in passes
                ]
                continue
            try:
                for pass_name, policy in passes:
                    if progress:
                        print(f"[{index}/{len(entries)}] {entry.name}, guard {pass_name}", file=sys.stderr)
                    runs.append(_run_one(task, entry, options, folder, pass_name, policy, executor, progress))
            finally:
                task.close()
        cache = executor.cache_stats()
        guard_health = executor.guard_health()
    finally:
        executor.close()
    return AuditResult(
        target=options.target,
        profile=options.profile.name,
        profile_version=options.profile.version,
        guard_policy=options.guard,
        guard_status=guard_status,
        out_dir=str(folder),
        started_at=started.isoformat(timespec="seconds"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_s=round(time.perf_counter() - start, 2),
        runs=runs,
        host=host_info(),
        cache=cache,
        guard_health=guard_health,
        refusal_judge=(
            f"LLM judge {options.judge_target} ({options.judge_escalate})" if options.judge_target else None
        ),
    )


def _run_one(
    task: Task,
    entry: ProfileEntry,
    options: AuditOptions,
    folder: Path,
    pass_name: Pass,
    policy: str | None,
    executor: AuditExecutor,
    progress: bool,
) -> BenchmarkRun:
    run_dir = folder / f"{entry.name}.{pass_name}"
    base = BenchmarkRun(
        benchmark=entry.name,
        guard=pass_name,
        status="completed",
        run_dir=str(run_dir),
        version=task.version,
        description=task.description,
        dimensions=list(task.dimensions),
    )
    try:
        result = run_eval(
            entry.name,
            options.target,
            run_dir,
            guard=policy,
            options=options.benchmark_options(entry),
            executor=executor,
            resume=True,
            progress=progress,
            task=task,
            kind="audit",
            label=f"{entry.name} (guard {pass_name})",
        )
    except StoreError:
        raise
    except Exception as exc:  # a broken benchmark must not sink the audit; the scorecard says why
        return base.model_copy(update={"status": "failed", "reason": f"{type(exc).__name__}: {exc}"})
    return base.model_copy(
        update={
            "status": "completed" if result.n_errors == 0 else "incomplete",
            "reason": None
            if result.n_errors == 0
            else f"{result.n_errors} items failed; rerun with --resume",
            "n_items": result.n_items,
            "n_errors": result.n_errors,
            "summary": result.summary,
            "stats": result.stats,
        }
    )
