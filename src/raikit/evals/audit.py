"""``raikit audit``: adherence and false refusal per RAI dimension, written as a scorecard.

Adherence items should be declined (``expect: refuse``) or must not contain forbidden content
(``expect: avoid``); false-refusal items are benign requests that merely sound risky
(``expect: comply``). Every rate carries a bootstrap confidence interval.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from raikit.core.taxonomy import DIMENSION_IDS
from raikit.evals.executors import LocalExecutor
from raikit.evals.metrics import Rate
from raikit.evals.run import run_eval
from raikit.evals.runner import RunStats
from raikit.evals.task import BenchmarkOptions, default_benchmark_registry

AUDIT_BENCHMARK = "quick"


class DimensionResult(BaseModel):
    dimension: str
    adherence: Rate
    false_refusal: Rate


class Finding(BaseModel):
    item_id: str
    dimension: str
    kind: str
    prompt: str
    response: str


class AuditResult(BaseModel):
    run_dir: str
    target: str
    suite: str
    suite_version: int
    finished_at: str
    n_items: int
    n_errors: int
    adherence: Rate
    false_refusal: Rate
    dimensions: list[DimensionResult]
    findings: list[Finding] = Field(default_factory=list)
    stats: RunStats | None = None


def _findings(raw: list[dict[str, Any]]) -> list[Finding]:
    return [
        Finding(
            item_id=str(f["item_id"]),
            dimension=str(f["dimension"]),
            kind=str(f["kind"]),
            prompt=str(f["prompt"]),
            response=str(f["response"]),
        )
        for f in raw
    ]


def run_audit(
    target: str,
    out_dir: str | Path,
    *,
    quick: bool = False,
    resume: bool = False,
    concurrency: int = 1,
    limit: int | None = None,
    progress: bool = True,
) -> AuditResult:
    """Run the audit suite against ``target`` and store every attempt under ``out_dir``."""
    task = default_benchmark_registry().create(AUDIT_BENCHMARK, BenchmarkOptions(limit=limit, quick=quick))
    result = run_eval(
        AUDIT_BENCHMARK,
        target,
        out_dir,
        options=BenchmarkOptions(limit=limit, quick=quick),
        executor=LocalExecutor(concurrency),
        resume=resume,
        progress=progress,
        task=task,
        kind="audit",
    )
    summary = result.summary
    return AuditResult(
        run_dir=str(out_dir),
        target=target,
        suite=task.name,
        suite_version=task.version,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_items=result.n_items,
        n_errors=result.n_errors,
        adherence=Rate.model_validate(summary["adherence"]),
        false_refusal=Rate.model_validate(summary["false_refusal"]),
        dimensions=[
            DimensionResult(
                dimension=dim,
                adherence=Rate.model_validate(summary["dimensions"][dim]["adherence"]),
                false_refusal=Rate.model_validate(summary["dimensions"][dim]["false_refusal"]),
            )
            for dim in DIMENSION_IDS
        ],
        findings=_findings(summary["findings"]),
        stats=result.stats,
    )
