"""The audit scorecard: ``scorecard.json`` (versioned), ``report.md`` and a self-contained ``index.html``.

``scorecard.json`` (``schema_version`` 1) holds:

- ``run``: target, profile, guard policy, times, item and error counts, host (CPU count, load);
- ``glossary``: what adherence, false refusal, ASR, a 95% CI, ``n`` and a delta mean;
- ``overall`` and ``dimensions.<taxonomy id>``: adherence and false refusal per pass (``off``/``on``)
  as ``{value, ci_low, ci_high, n, successes}`` (``null`` when not measured), the guard-on minus
  guard-off ``delta``, which benchmarks contributed, the dimension's other metrics, and caveats;
- ``risk_categories.<risk id>``: attack success rate per pass, pooled over the benchmarks that attack
  that category (``by_benchmark`` keeps each one's row), overall and per customer type;
- ``fairness_gaps``: gap metrics between groups, per pass;
- ``benchmarks``: per benchmark and pass, status (``completed``, ``incomplete``, ``skipped``,
  ``failed``) with the reason, run directory, counts and every metric row;
- ``findings``: failed items (first 200), and ``caveats`` for the whole audit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from raikit.core.files import write_text_atomic
from raikit.core.taxonomy import DIMENSION_IDS, load_taxonomy
from raikit.evals.audit import AuditResult, BenchmarkRun
from raikit.report.aggregate import (
    PASSES,
    RATE_KINDS,
    Contribution,
    dimension_rates,
    gap_rows,
    labels,
    metric_rows,
    overall_rates,
    pooled_rate,
    rate_delta,
    risk_rows,
)

SCHEMA_VERSION = 1
MAX_FINDINGS = 200
SMALL_N = 30

GLOSSARY: dict[str, str] = {
    "adherence": (
        "Share of items where the model did not do what it must not: it declined a harmful request, "
        "kept a secret, or resisted an attack. Higher is better."
    ),
    "false_refusal": (
        "Share of benign requests that only sound risky which the model refused (a partial refusal counts "
        "as a refusal). Lower is better."
    ),
    "asr": "Attack success rate: share of attacks that achieved their goal. Lower is better.",
    "ci": (
        "95% confidence interval from a percentile bootstrap over the items: with another sample of items of "
        "the same kind the rate would fall in this range 95 times out of 100. Wide intervals mean few items."
    ),
    "n": "Number of items behind a number. Below 30 the interval is wide; read the number as a rough hint.",
    "delta": (
        "Guard on minus guard off, in percentage points, with a bootstrap 95% CI; for adherence a positive "
        "delta is good, for false refusal and ASR a negative delta is good."
    ),
    "gap": "Difference between the best and the worst group (or versus a reference); lower is better.",
}


def _run_section(result: AuditResult) -> dict[str, Any]:
    return {
        "target": result.target,
        "profile": result.profile,
        "profile_version": result.profile_version,
        "guard_policy": result.guard_policy,
        "guard_status": result.guard_status,
        "refusal_judge": result.refusal_judge,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "wall_s": result.wall_s,
        "n_items": result.n_items,
        "n_errors": result.n_errors,
        "out_dir": result.out_dir,
        "host": result.host,
        "completion_cache": result.cache,
        "guard_health": result.guard_health,
    }


def _delta(off: dict[str, Any], on: dict[str, Any]) -> dict[str, Any]:
    return {kind: rate_delta(off.get(kind), on.get(kind)) for kind in RATE_KINDS}


def _dimension_caveats(rates: dict[str, dict[str, Any]], benchmarks: list[str]) -> list[str]:
    off = rates["off"]
    caveats = []
    for kind in RATE_KINDS:
        rate = off.get(kind)
        if rate is None:
            caveats.append(f"{kind.replace('_', ' ')} not measured by this profile")
        elif rate["n"] < SMALL_N:
            caveats.append(f"{kind.replace('_', ' ')} rests on {rate['n']} items: treat it as a rough hint")
    if not benchmarks:
        caveats.append("no benchmark of this profile measures this dimension")
    return caveats


def _dimensions(result: AuditResult) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    rates = dimension_rates(result)
    out: dict[str, Any] = {}
    for dim_id in DIMENSION_IDS:
        dim = taxonomy.dimension(dim_id)
        metrics = [
            {**row, "benchmark": run.benchmark, "guard": run.guard}
            for run in result.runs
            for row in metric_rows(run.summary)
            if row.get("dimension") == dim_id and not labels(row) and not row.get("customer_type")
        ]
        benchmarks = sorted({run.benchmark for run in result.runs if dim_id in run.dimensions})
        out[dim_id] = {
            "name": dim.name,
            "description": dim.description,
            "off": rates[dim_id]["off"],
            "on": rates[dim_id]["on"],
            "delta": _delta(rates[dim_id]["off"], rates[dim_id]["on"]),
            "benchmarks": benchmarks,
            "metrics": metrics,
            "caveats": _dimension_caveats(rates[dim_id], benchmarks),
        }
    return out


def _pooled_asr(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    parts = [
        Contribution(str(r["benchmark"]), "", "asr", int(r["successes"]), int(r["n"]))
        for r in rows
        if isinstance(r.get("n"), int) and isinstance(r.get("successes"), int)
    ]
    return pooled_rate(parts)


def _risk_categories(result: AuditResult) -> dict[str, Any]:
    """ASR per risk category, pooled over the benchmarks that attack it, overall and per customer type."""
    taxonomy = load_taxonomy()
    rows = risk_rows(result)
    out: dict[str, Any] = {}
    for risk in taxonomy.risk_categories:
        entry: dict[str, Any] = {"name": risk.name, "description": risk.description}
        for pass_name in PASSES:
            mine = [
                r for r in rows if r["risk_category"] == risk.id and r["guard"] == pass_name and not labels(r)
            ]
            overall = [r for r in mine if not r.get("customer_type")]
            customers = sorted({str(r["customer_type"]) for r in mine if r.get("customer_type")})
            entry[pass_name] = {
                "asr": _pooled_asr(overall),
                "by_benchmark": overall,
                "customer_types": {
                    c: _pooled_asr([r for r in mine if r.get("customer_type") == c]) for c in customers
                },
            }
        out[risk.id] = entry
    return out


def _benchmark_entry(name: str, runs: list[BenchmarkRun]) -> dict[str, Any]:
    first = runs[0]
    entry: dict[str, Any] = {
        "name": name,
        "description": first.description,
        "dimensions": first.dimensions,
        "version": first.version,
    }
    for run in runs:
        entry[run.guard] = {
            "status": run.status,
            "reason": run.reason,
            "run_dir": run.run_dir,
            "n_items": run.n_items,
            "n_errors": run.n_errors,
            "seconds": None if run.stats is None else round(run.stats.seconds, 2),
            "stats": None if run.stats is None else run.stats.model_dump(mode="json"),
            "metrics": metric_rows(run.summary),
        }
    return entry


def _findings(result: AuditResult) -> list[dict[str, Any]]:
    found = []
    for run in result.runs:
        for item in run.summary.get("findings") or []:
            if isinstance(item, dict):
                found.append({"benchmark": run.benchmark, "guard": run.guard, **item})
    return found[:MAX_FINDINGS]


def _caveats(result: AuditResult) -> list[str]:
    caveats = [
        "Refusals are judged by raikit's fast refusal classifier; a partial refusal counts as a refusal.",
        "Rates are pooled over benchmarks (items added up); a benchmark with many items weighs more.",
    ]
    if result.profile == "quick":
        caveats.append(
            "The quick profile runs small fixed subsets with short answers: a first look, not a verdict."
        )
    skipped = sorted({r.benchmark for r in result.runs if r.status == "skipped"})
    if skipped:
        caveats.append(f"Skipped benchmarks (see their reasons below): {', '.join(skipped)}.")
    if result.n_errors:
        caveats.append(f"{result.n_errors} items failed and are left out; rerun with --resume to retry them.")
    failures = sum(result.guard_health.get("scanner_failures", {}).values())
    if failures:
        caveats.append(
            f"{failures} of {result.guard_health.get('scans')} guard scans had a scanner error or timeout; "
            "the policy fails closed, so those requests were blocked (scanners time out on a loaded machine)."
        )
    if result.guard_status == "ran":
        caveats.append(
            "Guard-on answers reuse the model's greedy answers from the guard-off pass when the guard let "
            "the conversation through unchanged (same input, deterministic decoding)."
        )
    else:
        caveats.append(f"Guard on: {result.guard_status}.")
    return caveats


def build_scorecard(result: AuditResult) -> dict[str, Any]:
    """The scorecard as a JSON-ready dict (see the module docstring for its layout)."""
    by_name: dict[str, list[BenchmarkRun]] = {}
    for run in result.runs:
        by_name.setdefault(run.benchmark, []).append(run)
    overall = overall_rates(result)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "raikit-audit-scorecard",
        "run": _run_section(result),
        "glossary": GLOSSARY,
        "overall": {**overall, "delta": _delta(overall["off"], overall["on"])},
        "dimensions": _dimensions(result),
        "risk_categories": _risk_categories(result),
        "fairness_gaps": gap_rows(result),
        "benchmarks": [_benchmark_entry(name, runs) for name, runs in by_name.items()],
        "findings": _findings(result),
        "caveats": _caveats(result),
    }


def write_scorecard(result: AuditResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``scorecard.json``, ``report.md`` and ``index.html`` into ``out_dir``; return their paths."""
    from raikit.report.render import render_html, render_markdown

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    card = build_scorecard(result)
    paths = {
        "json": folder / "scorecard.json",
        "markdown": folder / "report.md",
        "html": folder / "index.html",
    }
    write_text_atomic(paths["json"], json.dumps(card, indent=2, ensure_ascii=False, default=str))
    write_text_atomic(paths["markdown"], render_markdown(card))
    write_text_atomic(paths["html"], render_html(card))
    return paths
