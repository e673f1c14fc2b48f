"""Run the fairness / false-refusal / veracity benchmarks on a target and keep the headline figures.

    .venv/bin/python bench/rai_fairness.py --target llamacpp:default --limit 30 bold invite

Each benchmark runs (resumably) into ``--runs DIR`` (default ``raikit-runs/bench``), one folder
per benchmark and limit, and its summary goes to ``bench/results/rai_fairness.json`` under the
benchmark's name, with the target, the limit and the wall time of the call. Per-group rows are
kept only for rates; everything else stays in the run directory.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from raikit.evals import BenchmarkOptions, run_eval

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "rai_fairness.json"


def headline(summary: dict[str, Any]) -> dict[str, Any]:
    metrics = summary.get("metrics", [])
    kept = [m for m in metrics if m.get("group") is None or m.get("name", "").endswith("_rate")]
    return {**{k: v for k, v in summary.items() if k not in ("metrics", "findings", "gaps")}, "metrics": kept}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("benchmarks", nargs="+")
    parser.add_argument("--target", default="llamacpp:default")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=Path, default=ROOT / "raikit-runs" / "bench")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    for name in args.benchmarks:
        out = args.runs / f"{name}-{args.limit}{'-quick' if args.quick else ''}"
        start = time.perf_counter()
        result = run_eval(
            name,
            args.target,
            out,
            options=BenchmarkOptions(data_dir=args.data, limit=args.limit, quick=args.quick),
            resume=out.exists(),
        )
        results[name] = {
            "target": args.target,
            "limit": args.limit,
            "quick": args.quick,
            "items": result.n_items,
            "errors": result.n_errors,
            "seconds_this_call": round(time.perf_counter() - start, 1),
            "summary": headline(result.summary),
        }
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(name, json.dumps({"items": result.n_items, "errors": result.n_errors}))


if __name__ == "__main__":
    main()
