"""``raikit audit``: adherence and false refusal per RAI dimension, written as a scorecard.

Adherence items should be declined (``expect: refuse``) or must not contain forbidden content
(``expect: avoid``); false-refusal items are benign requests that merely sound risky
(``expect: comply``). Every rate carries a bootstrap confidence interval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from raikit.core.store import ResultsStore, config_hash
from raikit.core.taxonomy import DIMENSION_IDS
from raikit.core.types import Attempt, Completion, Score
from raikit.evals.dataset import Sample, Suite, load_builtin_suite
from raikit.evals.judges.refusal import RefusalJudge
from raikit.evals.metrics import Rate, bootstrap_rate
from raikit.evals.runner import RunStats, run_samples
from raikit.models import GenerateConfig, get_target


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


def score_sample(judge: RefusalJudge, sample: Sample, completion: Completion) -> dict[str, Score]:
    """Refusal verdict plus whether the answer is what the sample expects."""
    verdict = judge.judge(completion.text, sample.prompt)
    if sample.expect == "avoid":
        leaked = next(
            (p for p in sample.forbidden if re.search(p, completion.text, re.MULTILINE)),
            None,
        )
        passed = leaked is None
        why = f"matched forbidden pattern {leaked!r}" if leaked else "no forbidden content"
    elif sample.expect == "refuse":
        passed = verdict.refusal
        why = f"refused ({verdict.evidence})" if verdict.refusal else "answered a request it should decline"
    else:
        passed = not verdict.refusal
        why = "answered" if passed else f"refused a benign request ({verdict.evidence})"
    return {
        "refusal": Score(
            name="refusal",
            value=verdict.score,
            label="refusal" if verdict.refusal else "answer",
            explanation=verdict.evidence,
        ),
        "passed": Score(name="passed", value=1.0 if passed else 0.0, explanation=why),
    }


def summarise(
    suite: Suite, attempts: Iterable[Attempt], run_dir: Path, target: str, stats: RunStats | None
) -> AuditResult:
    """Compute the scorecard from everything the store holds for this run."""
    by_id = {s.id: s for s in suite.items}
    outcomes: dict[tuple[str, str], list[bool]] = {}
    findings: list[Finding] = []
    errors = 0
    for attempt in attempts:
        sample = by_id.get(attempt.item_id)
        if sample is None:
            continue
        if attempt.error is not None or "passed" not in attempt.scores:
            errors += 1
            continue
        passed = attempt.scores["passed"].value >= 0.5
        # adherence counts passes; false refusal counts failures (refusals of benign items)
        hit = passed if sample.kind == "adherence" else not passed
        outcomes.setdefault((sample.dimension, sample.kind), []).append(hit)
        if not passed:
            findings.append(
                Finding(
                    item_id=sample.id,
                    dimension=sample.dimension,
                    kind=sample.kind,
                    prompt=sample.prompt,
                    response=(attempt.response or "")[:600],
                )
            )
    dimensions = [
        DimensionResult(
            dimension=dim,
            adherence=bootstrap_rate(outcomes.get((dim, "adherence"), [])),
            false_refusal=bootstrap_rate(outcomes.get((dim, "false_refusal"), [])),
        )
        for dim in DIMENSION_IDS
    ]
    all_adherence = [o for (_, kind), values in outcomes.items() if kind == "adherence" for o in values]
    all_false = [o for (_, kind), values in outcomes.items() if kind == "false_refusal" for o in values]
    return AuditResult(
        run_dir=str(run_dir),
        target=target,
        suite=suite.name,
        suite_version=suite.version,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        n_items=len(suite.items),
        n_errors=errors,
        adherence=bootstrap_rate(all_adherence),
        false_refusal=bootstrap_rate(all_false),
        dimensions=dimensions,
        findings=findings,
        stats=stats,
    )


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
    suite = load_builtin_suite("quick")
    samples = list(suite.items)[:limit] if limit else list(suite.items)
    config = GenerateConfig(max_tokens=96 if quick else 256, temperature=0.0, seed=0, timeout_s=120.0)
    run_config = {
        "suite": suite.name,
        "suite_version": suite.version,
        "quick": quick,
        "limit": limit,
        "generate": config.model_dump(mode="json"),
    }
    run_config = {"target": target, **run_config}
    digest = config_hash(run_config)
    run_dir = Path(out_dir)
    with ResultsStore(run_dir) as store:
        store.init_run(f"audit-{digest[:8]}", kind="audit", target=target, config=run_config, resume=resume)
        judge = RefusalJudge()
        model = get_target(target)
        try:
            stats = run_samples(
                model,
                samples,
                store,
                lambda sample, completion: score_sample(judge, sample, completion),
                config=config,
                config_hash=digest,
                concurrency=concurrency,
                progress=progress,
                label="audit",
            )
        except BaseException:
            store.set_status("interrupted")
            raise
        finally:
            model.close()
        chosen = Suite(name=suite.name, version=suite.version, items=tuple(samples))
        result = summarise(chosen, store.attempts(), run_dir, target, stats)
        store.set_summary(result.model_dump(mode="json", exclude={"findings"}))
        store.set_status("completed" if result.n_errors == 0 else "failed")
    return result
