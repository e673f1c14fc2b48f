"""Agreement of the RAI reward model with held-out human labels (ToxiGen groups, INVITE questions).

Fits the reward model on the train part of ToxiGen (fairness) and INVITE (veracity) labels only,
and reports accuracy and ROC AUC on the held-out part (unseen ToxiGen target groups, unseen
INVITE questions). ``bench/align_loop.py`` repeats this with the preference pairs added.

    .venv/bin/python bench/align_reward.py [--data ../shared/data] [--toxigen-per-split 600]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from raikit.align.labelled import invite_rows, toxigen_rows
from raikit.align.reward import RewardModel, labelled_examples

RESULT = Path(__file__).resolve().parent / "results" / "align_reward.json"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--toxigen-per-split", type=int, default=600)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    started = time.monotonic()
    rows = toxigen_rows(args.data, per_split=args.toxigen_per_split) + invite_rows(args.data)
    train = [r for r in rows if r.split == "train"]
    val = [r for r in rows if r.split == "val"]
    model = RewardModel.fit(labelled_examples(train))
    result = {
        "train_rows": len(train),
        "val_rows": len(val),
        "heads": model.meta["rows_per_head"],
        "validation": model.validate(labelled_examples(val), []),
        "seconds": round(time.monotonic() - started, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
