"""Time ``raikit audit --quick`` against the embedded model, offline, and record the machine's load.

    python bench/audit_quick.py [--target llamacpp:default] [--out DIR] [--data ../shared/data]
    python bench/audit_quick.py --summarise DIR --wall-s SECONDS   # an audit that already ran

Writes ``bench/results/audit_quick.json``: wall time, the load average sampled every 5 s while the
audit ran (the machine may be shared), per-benchmark and per-pass seconds, items, model tokens,
completion-cache hits, and the headline adherence and false-refusal numbers with their CIs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from raikit.core.store import ResultsStore

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "audit_quick.json"


def sample_load(stop: threading.Event, samples: list[float]) -> None:
    while not stop.wait(5.0):
        samples.append(os.getloadavg()[0])


def tokens(run_dir: Path) -> dict[str, int]:
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "attempts": 0}
    if not (run_dir / "results.sqlite").exists():
        return totals
    with ResultsStore(run_dir, read_only=True) as store:
        for attempt in store.attempts():
            totals["prompt_tokens"] += attempt.usage.prompt_tokens
            totals["completion_tokens"] += attempt.usage.completion_tokens
            totals["attempts"] += 1
    return totals


def summarise(audit_dir: Path, wall_s: float, loads: list[float], command: list[str]) -> dict[str, Any]:
    card = json.loads((audit_dir / "scorecard.json").read_text(encoding="utf-8"))
    benchmarks = []
    for bench in card["benchmarks"]:
        for pass_name in ("off", "on"):
            entry = bench.get(pass_name)
            if not entry:
                continue
            run_dir = Path(entry["run_dir"]) if entry.get("run_dir") else None
            benchmarks.append(
                {
                    "benchmark": bench["name"],
                    "guard": pass_name,
                    "status": entry["status"],
                    "reason": entry["reason"],
                    "items": entry["n_items"],
                    "errors": entry["n_errors"],
                    "seconds": entry["seconds"],
                    **(tokens(run_dir) if run_dir else {}),
                }
            )
    return {
        "command": " ".join(command),
        "wall_s": round(wall_s, 1),
        "limit_s": 600,
        "within_limit": wall_s <= 600,
        "cpu_count": os.cpu_count(),
        "load_avg_samples": [round(x, 2) for x in loads],
        "load_avg_mean": round(sum(loads) / len(loads), 2) if loads else None,
        "run": card["run"],
        "overall": card["overall"],
        "dimensions": {
            dim: {p: card["dimensions"][dim][p] for p in ("off", "on")}
            | {"delta": card["dimensions"][dim]["delta"]}
            for dim in card["dimensions"]
        },
        "risk_categories": {
            k: {p: v[p]["asr"] for p in ("off", "on")} for k, v in card["risk_categories"].items()
        },
        "benchmarks": benchmarks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="llamacpp:default")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--summarise", type=Path, default=None, help="Only summarise this finished audit.")
    parser.add_argument("--wall-s", type=float, default=None)
    args = parser.parse_args()
    if args.summarise is not None:
        command = ["(already run)", str(args.summarise)]
        result = summarise(args.summarise, args.wall_s or float("nan"), [], command)
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix="raikit-audit-quick-")) / "audit"
        command = [sys.executable, "-m", "raikit.cli", "audit", "--quick", "--target", args.target]
        command += ["-o", str(out), "--data", str(args.data), "--no-progress"]
        loads = [os.getloadavg()[0]]
        stop = threading.Event()
        sampler = threading.Thread(target=sample_load, args=(stop, loads), daemon=True)
        sampler.start()
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=False, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        wall = time.perf_counter() - start
        stop.set()
        result = summarise(out, wall, loads, command)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    overall = result["overall"]
    headline = {
        f"{kind}_{p}": overall[p][kind] for kind in ("adherence", "false_refusal") for p in ("off", "on")
    }
    print(
        json.dumps(
            {"wall_s": result["wall_s"], "load_avg_mean": result["load_avg_mean"], **headline}, indent=1
        )
    )


if __name__ == "__main__":
    main()
