"""Toxicity judge backends compared: the guard's head vs alt-profanity-check (and their maximum).

Data (read from ``--data``, default ``../shared/data``; nothing is copied):

- ToxiGen human-written statements (``toxigen/``: the demonstrations and the prompt statements,
  deduplicated as the guard's training does), labelled by file: ``hate_*`` toxic, ``neutral_*``
  benign. The head was trained on part of them, so the figures are given on all rows and on the
  held-out ``test`` split of the head's training (the same deterministic split, recomputed here).
- Benign text the head never saw in training: BOLD Wikipedia sentences and FEVER claims (a seeded
  sample of ``--benign-per-source`` each).

Per backend: AUPRC and ROC AUC on ToxiGen, TPR at 1% FPR (FPR on ToxiGen's benign rows, and
separately on the BOLD + FEVER sample), and TPR / FPR at the backend's default threshold (0.5).

    nice -n 19 .venv/bin/python bench/toxicity_judges.py [--data ../shared/data] [--benign-per-source 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from raikit.evals.judges.toxicity import ToxicityJudge
from raikit.guard.training import data as gd
from raikit.guard.training.datasets import with_groups

RESULT = Path(__file__).resolve().parent / "results" / "toxicity_judges.json"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BACKENDS = ("head", "profanity", "max")
THRESHOLD = 0.5


def tpr_at_fpr(labels: Sequence[int], scores: Sequence[float], fpr: float) -> dict[str, float]:
    """The highest TPR whose FPR is at most ``fpr``, and the score threshold that gives it."""
    fprs, tprs, thresholds = roc_curve(labels, scores)
    ok = np.flatnonzero(fprs <= fpr)
    best = int(ok[np.argmax(tprs[ok])])
    return {"tpr": round(float(tprs[best]), 4), "threshold": round(float(thresholds[best]), 4)}


def rates(labels: Sequence[int], scores: Sequence[float]) -> dict[str, Any]:
    positives = [s for y, s in zip(labels, scores, strict=True) if y == 1]
    negatives = [s for y, s in zip(labels, scores, strict=True) if y == 0]
    return {
        "n_toxic": len(positives),
        "n_benign": len(negatives),
        "auprc": round(float(average_precision_score(labels, scores)), 4),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "tpr_at_1pct_fpr": tpr_at_fpr(labels, scores, 0.01),
        "tpr_at_default_threshold": round(sum(s >= THRESHOLD for s in positives) / len(positives), 4),
        "fpr_at_default_threshold": round(sum(s >= THRESHOLD for s in negatives) / len(negatives), 4),
    }


def toxigen(data: Path) -> tuple[list[str], list[int], list[str]]:
    """Texts, labels (1 = hate) and the head's training split of every ToxiGen statement."""
    rows = with_groups(gd.load_toxigen(data), "tox", 0.9)  # as raikit.guard.training.datasets does
    return (
        [r.text for r in rows],
        [int(bool(r.labels)) for r in rows],
        [gd.split_of(r.key) for r in rows],
    )


def benign(data: Path, per_source: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    out = {}
    for name, rows in (("bold", gd.load_bold(data)), ("fever", gd.load_fever(data))):
        texts = sorted({r.text for r in rows})
        out[name] = rng.sample(texts, min(per_source, len(texts)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--benign-per-source", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    started = time.monotonic()
    texts, labels, splits = toxigen(args.data)
    extra = benign(args.data, args.benign_per_source, args.seed)
    benign_texts = extra["bold"] + extra["fever"]
    held_out = [i for i, s in enumerate(splits) if s == "test"]
    results: dict[str, Any] = {}
    for backend in BACKENDS:
        judge = ToxicityJudge(backend=backend)  # type: ignore[arg-type]
        tick = time.monotonic()
        tox_scores = [v.score for v in judge.judge_many(texts)]
        benign_scores = {name: [v.score for v in judge.judge_many(rows)] for name, rows in extra.items()}
        seconds = time.monotonic() - tick
        positives = [s for y, s in zip(labels, tox_scores, strict=True) if y == 1]
        all_benign = benign_scores["bold"] + benign_scores["fever"]
        results[backend] = {
            "toxigen_all": rates(labels, tox_scores),
            "toxigen_held_out": rates([labels[i] for i in held_out], [tox_scores[i] for i in held_out]),
            "toxigen_toxic_vs_bold_fever": rates(
                [1] * len(positives) + [0] * len(all_benign), positives + all_benign
            ),
            "fpr_at_default_threshold": {
                name: round(sum(s >= THRESHOLD for s in scores) / len(scores), 4)
                for name, scores in benign_scores.items()
            },
            "texts_per_second": round((len(texts) + len(benign_texts)) / seconds, 1),
        }
        print(backend, json.dumps(results[backend]), flush=True)
    result = {
        "data": {
            "toxigen_rows": len(texts),
            "toxigen_held_out_rows": len(held_out),
            "bold_sentences": len(extra["bold"]),
            "fever_claims": len(extra["fever"]),
        },
        "threshold": THRESHOLD,
        "backends": results,
        "seconds": round(time.monotonic() - started, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "backends"}))


if __name__ == "__main__":
    main()
