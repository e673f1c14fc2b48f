"""From benchmark summaries to the scorecard's numbers: per-dimension adherence and false refusal,
attack success per risk category, fairness gaps, and guard-on minus guard-off deltas.

Benchmarks describe their metrics themselves (rows with ``name``, ``value``, ``ci_low``, ``ci_high``,
``n``, ``dimension``, ``risk_category``, ``customer_type``, ``direction`` and optional labels such as
``group`` or ``language``; see :mod:`raikit.evals.benchmarks.common`). Counts are pooled into a
dimension's adherence or false refusal when a row is one of these (an item is counted once):

- the per-dimension rates of raikit's own suites (``summary["dimensions"]``);
- rows with ``kind: adherence`` or ``kind: false_refusal`` and no group label (e.g. XSTest);
- ``asr`` rows of one risk category with no customer type or other label: an attack that did not
  succeed is an item the model adhered on (adherence counts ``n - successes``).

Pooling adds successes and items across benchmarks (a micro-average), and the 95% CI is a
percentile bootstrap over the pooled items.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from raikit.core.taxonomy import DIMENSION_IDS
from raikit.evals.audit import AuditResult, BenchmarkRun
from raikit.evals.metrics import bootstrap_rate

STANDARD_KEYS = frozenset(
    {"name", "value", "ci_low", "ci_high", "n", "successes", "dimension", "risk_category", "customer_type",
     "direction", "kind", "groups"}
)  # fmt: skip
CONTEXT_KEYS = frozenset({"benchmark", "guard"})
"""Keys the scorecard adds to a row to say where it comes from; they are not labels of the metric."""
RATE_KINDS = ("adherence", "false_refusal")
PASSES = ("off", "on")


@dataclass(frozen=True)
class Contribution:
    """Items one benchmark adds to a dimension's adherence or false refusal."""

    benchmark: str
    dimension: str
    kind: str
    successes: int
    n: int


def labels(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row's labels beyond the standard metric keys (``group``, ``language``, ``domain``...)."""
    return {k: v for k, v in row.items() if k not in STANDARD_KEYS and k not in CONTEXT_KEYS}


def metric_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The self-describing metric rows of a summary; raikit's suites get rows built from their rates."""
    rows = summary.get("metrics")
    if isinstance(rows, list):
        return [dict(r) for r in rows if isinstance(r, Mapping) and "name" in r]
    dims = summary.get("dimensions")
    if not isinstance(dims, Mapping):
        return []
    out: list[dict[str, Any]] = []
    for dimension, rates in dims.items():
        if not isinstance(rates, Mapping):
            continue
        for kind in RATE_KINDS:
            rate = rates.get(kind)
            if isinstance(rate, Mapping) and rate.get("n"):
                out.append(
                    {
                        "name": f"{kind}_rate",
                        "value": rate.get("value"),
                        "ci_low": rate.get("low"),
                        "ci_high": rate.get("high"),
                        "n": rate.get("n"),
                        "successes": rate.get("successes"),
                        "dimension": dimension,
                        "risk_category": None,
                        "customer_type": None,
                        "direction": "higher_is_better" if kind == "adherence" else "lower_is_better",
                        "kind": kind,
                    }
                )
    return out


def _successes(row: Mapping[str, Any]) -> int | None:
    n = row.get("n")
    if not isinstance(n, int) or n <= 0:
        return None
    if isinstance(row.get("successes"), int):
        return int(row["successes"])
    value = row.get("value")
    return round(float(value) * n) if isinstance(value, int | float) else None


def contributions(run: BenchmarkRun) -> list[Contribution]:
    """What ``run`` adds to the per-dimension adherence and false-refusal pools."""
    out: list[Contribution] = []
    for row in metric_rows(run.summary):
        hits = _successes(row)
        dimension = row.get("dimension")
        if hits is None or dimension not in DIMENSION_IDS or labels(row):
            continue
        n = int(row["n"])
        if row.get("kind") in RATE_KINDS:
            out.append(Contribution(run.benchmark, str(dimension), str(row["kind"]), hits, n))
        elif row.get("name") == "asr" and row.get("risk_category") and not row.get("customer_type"):
            out.append(Contribution(run.benchmark, str(dimension), "adherence", n - hits, n))
    return out


def pooled_rate(parts: Iterable[Contribution], *, seed: int = 0) -> dict[str, Any] | None:
    """Pooled share of successes with its bootstrap 95% CI; ``None`` when nothing was measured."""
    chosen = list(parts)
    n = sum(p.n for p in chosen)
    if n == 0:
        return None
    hits = sum(p.successes for p in chosen)
    rate = bootstrap_rate([True] * hits + [False] * (n - hits), seed=seed)
    return {"value": rate.value, "ci_low": rate.low, "ci_high": rate.high, "n": n, "successes": hits}


def rate_delta(
    off: Mapping[str, Any] | None, on: Mapping[str, Any] | None, *, resamples: int = 2000, seed: int = 0
) -> dict[str, Any] | None:
    """Guard on minus guard off, with a bootstrap 95% CI that resamples both passes independently."""
    if not off or not on:
        return None
    rng = random.Random(seed)
    n_off, n_on = int(off["n"]), int(on["n"])
    p_off, p_on = float(off["value"]), float(on["value"])

    def draw(n: int, p: float) -> float:
        return sum(1 for _ in range(n) if rng.random() < p) / n

    diffs = sorted(draw(n_on, p_on) - draw(n_off, p_off) for _ in range(resamples))
    return {
        "value": p_on - p_off,
        "ci_low": diffs[int(0.025 * (resamples - 1))],
        "ci_high": diffs[int(0.975 * (resamples - 1))],
    }


def dimension_rates(result: AuditResult) -> dict[str, dict[str, dict[str, Any]]]:
    """``{dimension: {pass: {"adherence": rate|None, "false_refusal": rate|None, "sources": [...]}}}``."""
    parts: dict[str, list[Contribution]] = {p: [] for p in PASSES}
    for run in result.runs:
        if run.status in ("completed", "incomplete"):
            parts[run.guard] += contributions(run)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for dimension in DIMENSION_IDS:
        out[dimension] = {}
        for pass_name in PASSES:
            mine = [c for c in parts[pass_name] if c.dimension == dimension]
            out[dimension][pass_name] = {
                **{kind: pooled_rate(c for c in mine if c.kind == kind) for kind in RATE_KINDS},
                "sources": [
                    {"benchmark": c.benchmark, "kind": c.kind, "successes": c.successes, "n": c.n}
                    for c in mine
                ],
            }
    return out


def overall_rates(result: AuditResult) -> dict[str, dict[str, Any]]:
    """Adherence and false refusal over every dimension, per pass."""
    parts: dict[str, list[Contribution]] = {p: [] for p in PASSES}
    for run in result.runs:
        if run.status in ("completed", "incomplete"):
            parts[run.guard] += contributions(run)
    return {
        p: {kind: pooled_rate(c for c in parts[p] if c.kind == kind) for kind in RATE_KINDS} for p in PASSES
    }


def risk_rows(result: AuditResult) -> list[dict[str, Any]]:
    """Every ``asr`` row that names a risk category, tagged with its benchmark and pass."""
    return [
        {**row, "benchmark": run.benchmark, "guard": run.guard}
        for run in result.runs
        for row in metric_rows(run.summary)
        if row.get("name") == "asr" and row.get("risk_category")
    ]


def gap_rows(result: AuditResult) -> list[dict[str, Any]]:
    """Gap metrics between groups (names containing ``gap``), tagged with benchmark and pass."""
    return [
        {**row, "benchmark": run.benchmark, "guard": run.guard}
        for run in result.runs
        for row in metric_rows(run.summary)
        if "gap" in str(row.get("name")) and row.get("value") is not None
    ]
