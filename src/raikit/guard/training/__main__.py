"""``python -m raikit.guard.training``: train the guard classifier heads reproducibly."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from raikit.guard.training.data import DEFAULT_DATA_DIR
from raikit.guard.training.datasets import HEAD_BUILDERS

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "weights"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m raikit.guard.training", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="the shared/data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write NAME.npz + NAME.json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--heads", nargs="*", choices=sorted(HEAD_BUILDERS), help="train only these heads")
    parser.add_argument("--cache", type=Path, default=None, help="optional .npz cache of embeddings")
    parser.add_argument("--view-budget", type=int, default=None, help="encoder tokens of a prompt's view")
    parser.add_argument("--report", type=Path, default=None, help="write the training report (JSON) here")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"data folder {args.data} not found; pass --data", file=sys.stderr)
        return 2
    from raikit.guard.training.train import train_heads

    report = train_heads(
        args.data, args.out, args.seed, heads=args.heads, cache=args.cache, view_budget=args.view_budget
    )
    if args.report is not None:
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
