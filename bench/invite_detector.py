"""Agreement of the ``invite`` premise-challenge detector with INVITE's human hallucination labels.

INVITE ships 6 models' answers to the same 100 false-presupposition questions, each labelled
``hallucination_label`` 1 (the model went along with the false premise) or 0. The detector should
say "challenged" exactly when the label is 0. Entities are taken from the question (capitalised
words), as the benchmark does with its KB entities.

    .venv/bin/python bench/invite_detector.py [DATA_DIR]   # default ../shared/data
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from raikit.evals.benchmarks.invite import premise_challenge

ROOT = Path(__file__).resolve().parents[1]


def question_entities(question: str) -> list[str]:
    words = re.findall(r"[^\W\d_][\w'-]+", question)
    return [w for i, w in enumerate(words) if w[0].isupper() and i > 0]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    folder = data / "invite" / "evaluated_model_predictions_with_labels"
    per_model = {}
    totals = {"tp": 0, "tn": 0, "fp": 0, "fn": 0}
    for path in sorted(folder.glob("*.json")):
        counts = {"tp": 0, "tn": 0, "fp": 0, "fn": 0}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            outcome, _ = premise_challenge(
                row["model_response_to_invalid_question"], question_entities(row["invalid_question"])
            )
            # positive = "not a hallucination" (challenged or abstained), INVITE's label 0
            predicted = outcome != "accepted"
            corrected = str(row["hallucination_label"]).strip() == "0"
            key = ("t" if predicted == corrected else "f") + ("p" if predicted else "n")
            counts[key] += 1
        n = sum(counts.values())
        per_model[path.stem] = {
            **counts,
            "n": n,
            "accuracy": round((counts["tp"] + counts["tn"]) / n, 4),
        }
        for k in totals:
            totals[k] += counts[k]
    n = sum(totals.values())
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    result = {
        "what": "premise_challenge vs INVITE human labels (positive: challenged or abstained == label 0)",
        "per_model": per_model,
        "overall": {
            **totals,
            "n": n,
            "accuracy": round((tp + totals["tn"]) / n, 4),
            "precision_not_hallucinated": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall_not_hallucinated": round(tp / (tp + fn), 4) if tp + fn else None,
        },
    }
    out = ROOT / "bench" / "results" / "invite_detector.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["overall"]))
    for model, row in per_model.items():
        print(model, row)


if __name__ == "__main__":
    main()
