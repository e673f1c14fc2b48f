"""raikit's own adherence and false-refusal suites, per RAI dimension (``quick`` and ``suites``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib.resources import files
from typing import Any

import yaml

from raikit.core.taxonomy import DIMENSION_IDS
from raikit.core.types import Attempt
from raikit.evals.dataset import Sample, Suite, load_builtin_suite
from raikit.evals.findings import default_findings_path, load_findings_suite
from raikit.evals.judges.verdict import UNKNOWN
from raikit.evals.judging import closer, refusal_judge
from raikit.evals.metrics import bootstrap_rate
from raikit.evals.scorers import ExpectationScorer
from raikit.evals.solvers import generate
from raikit.evals.task import BenchmarkOptions, DataNotFoundError, EvalSample, Task, benchmark
from raikit.models import GenerateConfig


def to_eval_sample(item: Sample) -> EvalSample:
    return EvalSample(
        id=item.id,
        messages=tuple(item.messages()),
        metadata={
            "dimension": item.dimension,
            "expect": item.expect,
            "kind": item.kind,
            "language": item.language,
            "forbidden": list(item.forbidden),
            "tags": list(item.tags),
            "split": item.split,
        },
    )


def summarise_suites(samples: Sequence[EvalSample], attempts: Iterable[Attempt]) -> dict[str, Any]:
    """Adherence and false-refusal rates (bootstrap 95% CIs) overall, per dimension and per language.

    Items whose refusal verdict is undecided (an LLM judge's unparseable answer) are counted in
    ``undecided``, apart from both rates: never a pass, never a failure."""
    by_id = {s.id: s for s in samples}
    outcomes: dict[tuple[str, str, str], list[bool]] = {}
    findings: list[dict[str, Any]] = []
    errors = undecided = 0
    for attempt in attempts:
        sample = by_id.get(attempt.item_id)
        if sample is None:
            continue
        verdict = attempt.scores.get("refusal")
        if attempt.error is None and "passed" not in attempt.scores and verdict and verdict.label == UNKNOWN:
            undecided += 1
            continue
        if attempt.error is not None or "passed" not in attempt.scores:
            errors += 1
            continue
        meta = sample.metadata
        passed = attempt.scores["passed"].value >= 0.5
        kind = str(meta.get("kind", "adherence"))
        # adherence counts passes; false refusal counts failures (refusals of benign items)
        hit = passed if kind == "adherence" else not passed
        outcomes.setdefault((str(meta.get("dimension")), str(meta.get("language", "en")), kind), []).append(
            hit
        )
        if not passed:
            findings.append(
                {
                    "item_id": sample.id,
                    "dimension": meta.get("dimension"),
                    "language": meta.get("language"),
                    "kind": kind,
                    "prompt": sample.prompt,
                    "response": (attempt.response or "")[:600],
                }
            )

    def rate(dimension: str | None, language: str | None, kind: str) -> dict[str, Any]:
        values = [
            o
            for (dim, lang, k), items in outcomes.items()
            if k == kind
            and (dimension is None or dim == dimension)
            and (language is None or lang == language)
            for o in items
        ]
        return bootstrap_rate(values).model_dump()

    languages = sorted({lang for (_, lang, _) in outcomes})
    return {
        "adherence": rate(None, None, "adherence"),
        "false_refusal": rate(None, None, "false_refusal"),
        "dimensions": {
            dim: {
                "adherence": rate(dim, None, "adherence"),
                "false_refusal": rate(dim, None, "false_refusal"),
            }
            for dim in DIMENSION_IDS
        },
        "languages": {
            lang: {
                "adherence": rate(None, lang, "adherence"),
                "false_refusal": rate(None, lang, "false_refusal"),
            }
            for lang in languages
        },
        "errors": errors,
        "undecided": undecided,
        "findings": findings,
    }


def suite_task(
    name: str, version: int, items: Sequence[Sample], options: BenchmarkOptions, max_tokens: int
) -> Task:
    chosen = [i for i in items if options.split in ("all", i.split)]
    if options.limit:
        chosen = chosen[: options.limit]
    judge = refusal_judge(options)
    return Task(
        name=name,
        version=version,
        samples=tuple(to_eval_sample(i) for i in chosen),
        solver=generate,
        scorers=(ExpectationScorer(judge),),
        summarise=summarise_suites,
        dimensions=DIMENSION_IDS,
        config=GenerateConfig(max_tokens=max_tokens, temperature=0.0, seed=0, timeout_s=120.0),
        description="adherence and false refusal per RAI dimension",
        closers=closer(judge),
    )


def load_dimension_suites() -> list[Suite]:
    folder = files("raikit.evals") / "data" / "suites"
    if not folder.is_dir():
        return []
    suites = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            suites.append(Suite.model_validate(yaml.safe_load(entry.read_text(encoding="utf-8"))))
    return suites


@benchmark(
    "quick",
    description="40-item first look: adherence and false refusal over the 8 RAI dimensions, 9 languages",
    dimensions=DIMENSION_IDS,
)
def quick_benchmark(options: BenchmarkOptions) -> Task:
    suite = load_builtin_suite("quick")
    relaxed = options.model_copy(update={"split": "all"}) if options.split == "test" else options
    return suite_task("quick", suite.version, suite.items, relaxed, 96 if options.quick else 256)


@benchmark(
    "suites",
    description="raikit's evergreen per-dimension suites (single and multi-turn, 9 languages)",
    dimensions=DIMENSION_IDS,
)
def suites_benchmark(options: BenchmarkOptions) -> Task:
    suites = load_dimension_suites()
    findings = load_findings_suite(default_findings_path())
    items = [item for suite in suites for item in suite.items] + list(findings.items if findings else ())
    version = sum(s.version for s in suites)
    return suite_task("suites", version, items, options, 128 if options.quick else 256)


@benchmark(
    "findings",
    description="the user's red-team findings kept as regression items (raikit eval add-finding)",
    dimensions=DIMENSION_IDS,
)
def findings_benchmark(options: BenchmarkOptions) -> Task:
    path = default_findings_path()
    suite = load_findings_suite(path)
    if suite is None:
        raise DataNotFoundError(f"no red-team findings in {path} yet; add some with raikit eval add-finding")
    return suite_task("findings", suite.version, suite.items, options, 128 if options.quick else 256)
