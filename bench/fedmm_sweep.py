"""FedMultimodal sweep on AV-digits; writes bench/results/fedmm.json.

Final global test accuracy (clean test split, both modalities) of FedAvg, FedProx and FedOpt (FedAdam)
with attention fusion at corruption rates 0, 0.2, 0.4, 0.6 and 0.8 of each corruption type (missing
modality per sample, missing labels, uniform label noise, and the three combined), 3 seeds; the same
grid for late and early fusion with FedAvg; and clean single-modality baselines (audio only, image
only). 5 clients, Dirichlet alpha 0.5, 10 rounds of 1 local epoch, all clients every round; everything
runs in one Flower simulation (Ray backend, private local instance, one client actor per core).

The machine is shared with other jobs, so the load average before and after is recorded with the wall
time. The run folder (SQLite store) lives outside the repository; rerun with --resume after a kill.

Usage: python bench/fedmm_sweep.py [--data ../shared/data] [--run-dir DIR] [--resume] [--cpus 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from raikit.fedmm.avdigits import user_cache_dir
from raikit.fedmm.report import summarize_sweep, write_sweep_report
from raikit.fedmm.sim import SimulationSettings
from raikit.fedmm.spec import make_spec
from raikit.fedmm.sweep import make_sweep_config, run_sweep

RESULTS = Path(__file__).resolve().parent / "results" / "fedmm.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--run-dir", type=Path, default=user_cache_dir() / "fedmm-bench")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    config = make_sweep_config(
        base=make_spec(
            dataset={"name": "av-digits", "options": {"data_dir": str(args.data)}}, clients=5, rounds=10
        ),
        strategies=("fedavg", "fedprox", "fedopt"),
        fusions=("attention", "late", "early"),
        corruptions=("missing-modality", "missing-labels", "label-noise", "combined"),
        rates=(0.0, 0.2, 0.4, 0.6, 0.8),
        seeds=(0, 1, 2),
    )
    load_before = os.getloadavg()
    start = time.perf_counter()
    done = [0]

    def on_item(item: object, result: object) -> None:
        done[0] += 1
        if done[0] % 10 == 0:
            print(f"{done[0]} experiments, {time.perf_counter() - start:.0f} s", flush=True)

    outcome = run_sweep(
        config,
        args.run_dir,
        settings=SimulationSettings(num_cpus=args.cpus),
        resume=args.resume,
        on_item=on_item,
    )
    wall = time.perf_counter() - start
    write_sweep_report(outcome, args.run_dir)
    summary = summarize_sweep(outcome)
    accuracy = {
        strategy: {
            corruption: {
                f"{rate:g}": seeds for rate, seeds in zip(curve["rates"], curve["per_seed"], strict=True)
            }
            for corruption, curve in curves.items()
        }
        for strategy, curves in summary["strategy_curves"]["curves"].items()
    }
    payload = {
        "benchmark": "fedmm_sweep",
        "command": "python bench/fedmm_sweep.py" + (" --resume" if args.resume else ""),
        "dataset": "av-digits (FSDD log-mel audio + scikit-learn 8x8 digits; train 2700 / test 300)",
        "setup": {
            "clients": config.base.clients,
            "rounds": config.base.rounds,
            "local_epochs": config.base.local_epochs,
            "alpha": config.base.alpha,
            "main_fusion": config.fusions[0],
            "seeds": list(config.seeds),
            "executor": "local (Flower run_simulation, Ray backend)",
            "cpus": args.cpus,
        },
        "wall_s": wall,
        "resumed": args.resume,
        "experiments_run_this_session": outcome.ran_now,
        "n_experiments": summary["n_experiments"],
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg_before": load_before,
            "load_avg_after": os.getloadavg(),
        },
        "final_accuracy_per_seed": accuracy,
        "least_degradation": summary["least_degradation"],
        "modality_baselines": summary["modality_baselines"],
        "strategy_curves": summary["strategy_curves"],
        "fusion_curves": summary["fusion_curves"],
        "report": str(args.run_dir / "index.html"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {
                "wall_s": wall,
                "least_degradation": payload["least_degradation"],
                "modality_baselines": payload["modality_baselines"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
