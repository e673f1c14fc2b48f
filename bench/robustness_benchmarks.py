"""Robustness and security benchmarks on a real target; writes bench/results/robustness.json.

Runs ``adversarial``, ``pieval``, ``fever``, ``dialect`` and ``slang`` through ``run_eval`` (the
same path as ``raikit eval run``) with a per-benchmark item limit, and keeps each run's headline
metrics (value, bootstrap 95% CI, n) plus wall time. Run folders live under ``--run-dir`` so an
interrupted bench resumes with ``--resume``.

Usage: python bench/robustness_benchmarks.py [--target llamacpp:default] [--limit 12]
       [--benchmarks adversarial,pieval] [--data ../shared/data] [--run-dir DIR] [--resume]
       [--max-tokens N] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from raikit.evals import BenchmarkOptions, default_benchmark_registry, run_eval

RESULTS = Path(__file__).resolve().parent / "results" / "robustness.json"
ALL = ("adversarial", "pieval", "fever", "dialect", "slang")


KEEP = (
    "name", "value", "ci_low", "ci_high", "n", "dimension", "risk_category", "customer_type", "direction",
)  # fmt: skip


def headline(summary: dict[str, Any]) -> list[dict[str, Any]]:
    keep = KEEP
    rows = []
    for metric in summary.get("metrics", []):
        extra = {k: v for k, v in metric.items() if k not in keep and k != "successes"}
        rows.append({**{k: metric.get(k) for k in keep}, **extra})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="llamacpp:default")
    parser.add_argument("--limit", type=int, default=12)
    parser.add_argument("--benchmarks", default=",".join(ALL))
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--run-dir", type=Path, default=Path("raikit-runs") / "bench-robustness")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--max-tokens", type=int, default=None, help="cap answers (availability items keep their budget)"
    )
    parser.add_argument("--timeout", type=float, default=None, help="per-generation timeout in seconds")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "target": args.target,
        "limit": args.limit,
        "max_tokens": args.max_tokens,
        "timeout_s": args.timeout,
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "benchmarks": {},
    }
    for name in args.benchmarks.split(","):
        start = time.perf_counter()
        options = BenchmarkOptions(data_dir=args.data, limit=args.limit)
        task = default_benchmark_registry().create(name, options)
        overrides = {"max_tokens": args.max_tokens, "timeout_s": args.timeout}
        config = task.config.model_copy(update={k: v for k, v in overrides.items() if v is not None})
        result = run_eval(
            name,
            args.target,
            args.run_dir / name,
            options=options,
            task=task,
            config=config,
            resume=args.resume,
        )
        report["benchmarks"][name] = {
            "load_average_after": round(os.getloadavg()[0], 1),
            "items": result.n_items,
            "errors": result.n_errors,
            "wall_s": round(time.perf_counter() - start, 1),
            "metrics": headline(result.summary),
            "findings": result.summary.get("findings", [])[:5],
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
