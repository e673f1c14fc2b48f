"""Accuracy (and optionally latency) of the shipped guard classifier heads on held-out data.

    .venv/bin/python bench/guard_accuracy.py [--data ../shared/data] [--latency]

Rebuilds the deterministic held-out splits of ``raikit.guard.training`` from ``shared/data`` and
reports, per head, label and language:

- ``test``: AUPRC and TPR at 1% FPR of each label against the held-out benign items of the
  training sources (including held-out hard negatives), TPR at the shipped thresholds, and the
  share of each held-out benign source flagged at the shipped thresholds;
- ``unseen``: the share flagged of benign sources never used in training or threshold choice
  (BOLD, FEVER, TANGO, INVITE), and AUPRC / TPR at 1% FPR of the test positives against them;
- ``multilingual``: the authored dev set (``bench/data/guard_multilingual_dev.jsonl``), per
  language, with the gap of each language to English, and how often the language guesser
  (``raikit.guard.language``, which picks the harm head's cross-lingual shift) names each
  prompt's language right or wrong (``language_guess``; the rest are "unsure");
- ``language_guess_unseen_english``: how often the guesser calls a text of the unseen English
  sources another language (which would shift its harm score);
- ``screened_rail``: the harmful_request + jailbreak scanners as shipped (the lexical screen
  decides confidently benign English prompts alone) against the encoder alone, on held-out
  attacks, unseen benign sources and the dev set: the accuracy cost of the fast path;
- ``latency`` (with ``--latency``): per-scanner wall time on one thread for 64/512/2000-token
  prompts, and the input rail (harmful_request + jailbreak sharing one embedding).

Writes ``bench/results/guard_accuracy.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from raikit.guard.classifier import HEAD_NAMES, LinearHead
from raikit.guard.language import guess_language
from raikit.guard.resources import Encoder
from raikit.guard.training import datasets as ds
from raikit.guard.training.data import DEFAULT_DATA_DIR, Example
from raikit.guard.training.metrics import auprc, tpr_at_fpr

REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "bench" / "data" / "guard_multilingual_dev.jsonl"
OUT = REPO / "bench" / "results" / "guard_accuracy.json"
FILLER = (
    "please review the quarterly numbers for the northern region and explain why shipping costs rose "
    "while the team kept the same suppliers and the same delivery schedule as last year"
)
LANGS = ("en", "de", "fr", "es", "it", "pt", "ja", "hi", "ar")


def r4(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def flagged(head: LinearHead, probs: np.ndarray) -> np.ndarray:
    """The decision of the head's scanner: any deciding label at or over its shipped threshold."""
    decision = [j for j, label in enumerate(head.labels) if label in head.decision_labels]
    over = probs[:, decision] >= head.thresholds[None, decision]
    return over.any(axis=1) if len(probs) else np.zeros(0, bool)


def mean(x: np.ndarray) -> float | None:
    return float(np.mean(x)) if np.size(x) else None


def split_metrics(
    head: LinearHead, data: ds.HeadData, rows: Sequence[Example], probs: np.ndarray
) -> dict[str, Any]:
    benign = np.array([not r.labels for r in rows])
    flags = flagged(head, probs)
    out: dict[str, Any] = {"labels": {}, "benign_fpr_at_threshold": {}}
    for j, label in enumerate(head.labels):
        pos = np.array([label in r.labels and r.source not in data.masked.get(label, ()) for r in rows])
        sel = pos | benign
        out["labels"][label] = {
            "n_positive": int(pos.sum()),
            "auprc": r4(auprc(probs[sel, j], pos[sel])),
            "tpr_at_1pct_fpr": r4(tpr_at_fpr(probs[sel, j], pos[sel], 0.01)),
            "tpr_at_threshold": r4(mean(flags[pos])),
            "label_tpr_at_threshold": r4(mean(probs[pos, j] >= head.thresholds[j])),
        }
    for source in sorted({r.source for r in rows if not r.labels}):
        idx = np.array([not r.labels and r.source == source for r in rows])
        out["benign_fpr_at_threshold"][source] = {"n": int(idx.sum()), "fpr": r4(mean(flags[idx]))}
    return out


def unseen_texts(corpus: ds.Corpus, head: str) -> dict[str, list[str]]:
    """Benign texts of the sources never used in training, shaped like what the head reads."""
    unseen = corpus.unseen
    if head == "injection_context":
        by_entity: dict[str, list[str]] = defaultdict(list)
        for r in unseen["bold"]:
            by_entity[r.group].append(r.text)
        claims = [r.text for r in unseen["fever"]]
        return {
            "bold_paragraphs": [" ".join(v[:6]) for _, v in sorted(by_entity.items())],
            "fever_paragraphs": [" ".join(claims[i : i + 6]) for i in range(0, len(claims), 6)],
            "invite_answers": [r.text for r in unseen["invite_answers"]],
        }
    keep = ("bold", "fever", "tango", "invite_answers") if head == "toxicity" else ("bold", "fever", "tango")
    out = {s: [r.text for r in unseen[s]] for s in keep}
    if head != "toxicity":
        out["invite_questions"] = [r.text for r in unseen["invite_questions"]]
    return out


def unseen_metrics(
    head: LinearHead, data: ds.HeadData, corpus: ds.Corpus, test_probs: np.ndarray, log: Any
) -> dict[str, Any]:
    rows = data.splits["test"]
    out: dict[str, Any] = {"benign_fpr_at_threshold": {}, "labels": {}}
    pooled: list[np.ndarray] = []
    for source, texts in unseen_texts(corpus, head.name).items():
        start = time.perf_counter()
        probs = head.probabilities(texts)
        pooled.append(probs)
        out["benign_fpr_at_threshold"][source] = {"n": len(texts), "fpr": r4(mean(flagged(head, probs)))}
        log(f"    unseen {source}: {len(texts)} texts, {time.perf_counter() - start:.0f} s")
    neg = np.concatenate(pooled)
    for j, label in enumerate(head.labels):
        pos = np.array([label in r.labels and r.source not in data.masked.get(label, ()) for r in rows])
        if not pos.any():
            continue
        scores = np.concatenate([test_probs[pos, j], neg[:, j]])
        y = np.concatenate([np.ones(int(pos.sum()), bool), np.zeros(len(neg), bool)])
        out["labels"][label] = {
            "auprc": r4(auprc(scores, y)),
            "tpr_at_1pct_fpr": r4(tpr_at_fpr(scores, y, 0.01)),
        }
    return out


def load_dev() -> list[dict[str, str]]:
    with DEV_SET.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def multilingual(heads: dict[str, LinearHead]) -> dict[str, Any]:
    rows = load_dev()
    texts = [r["text"] for r in rows]
    harm, jb = heads["harm"], heads["jailbreak"]
    p_harm, p_jb = harm.probabilities(texts), jb.probabilities(texts)
    any_j = harm.labels.index("any")
    f_harm, f_jb = flagged(harm, p_harm), flagged(jb, p_jb)
    label = np.array([r["label"] for r in rows])
    lang = np.array([r["lang"] for r in rows])
    alarming = np.array([r["category"].startswith("alarming") for r in rows])
    per_lang: dict[str, Any] = {}
    for code in LANGS:
        m = lang == code
        harmful, benign, jail = m & (label == "harmful"), m & (label == "benign"), m & (label == "jailbreak")
        sel = harmful | benign
        per_lang[code] = {
            "n": {"harmful": int(harmful.sum()), "benign": int(benign.sum()), "jailbreak": int(jail.sum())},
            "harm_any_auprc": r4(auprc(p_harm[sel, any_j], harmful[sel])),
            "harm_any_tpr_at_1pct_fpr": r4(tpr_at_fpr(p_harm[sel, any_j], harmful[sel], 0.01)),
            "harm_tpr_at_threshold": r4(mean(f_harm[harmful])),
            "harm_fpr_at_threshold": r4(mean(f_harm[benign])),
            "harm_fpr_alarming_at_threshold": r4(mean(f_harm[benign & alarming])),
            "jailbreak_tpr_at_threshold": r4(mean(f_jb[jail])),
            "jailbreak_fpr_at_threshold": r4(mean(f_jb[benign])),
            "input_rail_tpr": r4(mean((f_harm | f_jb)[harmful | jail])),
            "input_rail_fpr": r4(mean((f_harm | f_jb)[benign])),
        }
    gaps = {
        code: {k: r4(v - per_lang["en"][k]) for k, v in per_lang[code].items() if isinstance(v, float)}
        for code in LANGS
    }
    categories: dict[str, Any] = {}
    for cat in sorted({r["category"] for r in rows if r["label"] == "harmful"}):
        m = np.array([r["label"] == "harmful" and r["category"] == cat for r in rows])
        j = harm.labels.index(cat) if cat in harm.labels else None
        categories[cat] = {
            "n": int(m.sum()),
            "tpr_at_threshold": r4(mean(f_harm[m])),
            "label_tpr_at_threshold": None if j is None else r4(mean(p_harm[m, j] >= harm.thresholds[j])),
        }
    misses = [
        r["id"] for r, f, g in zip(rows, f_harm, f_jb, strict=True) if r["label"] != "benign" and not (f or g)
    ]
    false_alarms = [
        r["id"] for r, f, g in zip(rows, f_harm, f_jb, strict=True) if r["label"] == "benign" and (f or g)
    ]
    guesses = np.array([guess_language(t) or "" for t in texts])
    language_guess = {
        code: {
            "right": r4(mean(guesses[lang == code] == code)),
            "wrong": r4(mean((guesses[lang == code] != code) & (guesses[lang == code] != ""))),
        }
        for code in LANGS
    }
    return {
        "per_language": per_lang,
        "language_guess": language_guess,
        "gap_to_english": gaps,
        "harm_categories": categories,
        "missed_ids": misses,
        "false_alarm_ids": false_alarms,
    }


def guessed_languages(texts: Sequence[str]) -> dict[str, Any]:
    """How the language guesser reads English texts: the share per answer (``unsure`` for None).
    Any other language shifts the harm head's prototype statistics, so this is its false-shift rate."""
    counts: dict[str, int] = defaultdict(int)
    for text in texts:
        counts[guess_language(text) or "unsure"] += 1
    n = max(1, len(texts))
    other = sum(v for k, v in counts.items() if k not in ("en", "unsure"))
    return {
        "n": len(texts),
        "other_language": r4(other / n),
        "shares": {k: r4(v / n) for k, v in sorted(counts.items())},
    }


def screened_rail(corpus: ds.Corpus | None, sample: int = 800) -> dict[str, Any]:
    """The input rail's classifier scanners as shipped (lexical screen + encoder, long prompts read
    with the screen's hottest window) against the encoder alone: TPR on held-out harmful requests
    and jailbreaks and on the multilingual dev set, FPR on unseen benign sources, and the share of
    prompts the screen decided without the encoder."""
    from raikit.guard.resources import Resources
    from raikit.guard.scanners.harmful_request import HarmfulRequestScanner
    from raikit.guard.scanners.jailbreak import JailbreakScanner
    from raikit.guard.types import ScanContext

    resources = Resources(encoder_threads=int(os.environ.get("RAIKIT_BENCH_THREADS", "2")))
    ctx = ScanContext(stage="input")
    modes = {
        mode: (HarmfulRequestScanner({"screen": on}, resources), JailbreakScanner({"screen": on}, resources))
        for mode, on in (("screened", True), ("encoder_only", False))
    }
    sets: dict[str, tuple[list[str], bool]] = {}
    if corpus is not None:
        harm_rows = ds.HEAD_BUILDERS["harm"](corpus, 0).splits["test"]
        jb_rows = ds.HEAD_BUILDERS["jailbreak"](corpus, 0).splits["test"]
        sets["test_harmful"] = ([r.text for r in harm_rows if r.labels], True)
        sets["test_jailbreak"] = ([r.text for r in jb_rows if r.labels], True)
        for source in ("bold", "fever", "tango", "invite_questions"):
            texts = [r.text for r in corpus.unseen[source]]
            sets[f"unseen_{source}"] = (texts[:: max(1, len(texts) // sample)][:sample], False)
    for code in LANGS:
        rows = [r for r in load_dev() if r["lang"] == code]
        sets[f"dev_{code}_attacks"] = ([r["text"] for r in rows if r["label"] != "benign"], True)
        sets[f"dev_{code}_benign"] = ([r["text"] for r in rows if r["label"] == "benign"], False)
    out: dict[str, Any] = {}
    for name, (texts, positive) in sets.items():
        entry: dict[str, Any] = {"n": len(texts)}
        for mode, (harm, jb) in modes.items():
            results = [(harm.scan(t, ctx), jb.scan(t, ctx)) for t in texts]
            flags = np.array([not (h.valid and j.valid) for h, j in results])
            entry["tpr" if positive else "fpr"] = entry.get("tpr" if positive else "fpr", {})
            entry["tpr" if positive else "fpr"][mode] = r4(mean(flags))
            if mode == "screened":
                decided = [h.details.get("screened") and j.details.get("screened") for h, j in results]
                entry["decided_by_screen"] = r4(mean(np.array(decided, dtype=bool)))
        out[name] = entry
        print(f"    {name}: {entry}")
    return out


def latency(sizes: Sequence[int] = (64, 512, 2000), repeats: int = 25) -> dict[str, Any]:
    """Per-call wall time (ms) of each scanner on one thread, fresh text each call (no cache hits)."""
    from raikit.guard.resources import Resources
    from raikit.guard.scanners.base import default_scanner_registry
    from raikit.guard.types import ScanContext

    words = FILLER.split()
    registry = default_scanner_registry()
    out: dict[str, Any] = {}
    for tokens in sizes:
        n_words = int(tokens / 1.25)
        resources = Resources(encoder_threads=1)
        scanners = {
            n: registry.create(n, {}, resources) for n in ("harmful_request", "jailbreak", "toxicity")
        }
        injection = registry.create("indirect_injection", {}, resources)
        scanners["harmful_request"].scan("warm up", ScanContext())
        row: dict[str, Any] = {}
        timings: dict[str, list[float]] = defaultdict(list)
        for i in range(repeats):
            text = " ".join(f"{words[(k + i) % len(words)]}{'' if k % 7 else i}" for k in range(n_words))
            for name in ("harmful_request", "jailbreak"):
                start = time.perf_counter()
                scanners[name].scan(text + name, ScanContext())
                timings[name].append(time.perf_counter() - start)
            start = time.perf_counter()
            scanners["harmful_request"].scan(text, ScanContext())
            scanners["jailbreak"].scan(text, ScanContext())
            timings["input_rail(harmful_request+jailbreak)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            scanners["toxicity"].scan(text + "!", ScanContext(stage="output"))
            timings["toxicity(output)"].append(time.perf_counter() - start)
            start = time.perf_counter()
            injection.scan("summarise the document", ScanContext(documents=(text + "?",)))
            timings["indirect_injection(one document)"].append(time.perf_counter() - start)
        for name, ts in timings.items():
            ms = np.array(ts) * 1000
            row[name] = {"p50_ms": r4(np.percentile(ms, 50)), "p99_ms": r4(np.percentile(ms, 99))}
        out[f"{tokens}_tokens"] = row
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--weights", type=Path, default=None, help="heads folder (default: the shipped ones)")
    parser.add_argument("--latency", action="store_true", help="also time the scanners (one thread)")
    parser.add_argument("--skip-unseen", action="store_true", help="skip the unseen benign sources (faster)")
    parser.add_argument("--rail-sample", type=int, default=800, help="unseen prompts per source, rail part")
    parser.add_argument(
        "--heads",
        nargs="*",
        choices=HEAD_NAMES,
        default=None,
        help="re-evaluate only these heads' test/unseen splits; the others' entries are kept from --out",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    encoder = Encoder(
        threads=int(os.environ.get("RAIKIT_BENCH_THREADS", "2")), cache_size=200_000, max_chars=100_000
    )
    if args.weights is None:
        heads = {name: LinearHead.load(name, encoder=encoder) for name in HEAD_NAMES}
    else:
        heads = {
            name: LinearHead.from_files(
                args.weights / f"{name}.npz", args.weights / f"{name}.json", encoder=encoder
            )
            for name in HEAD_NAMES
        }
    report: dict[str, Any] = {"heads": {}, "data_dir": str(args.data)}
    if args.data.is_dir():
        corpus = ds.load_corpus(args.data, log=print)
        previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
        for name, head in heads.items():
            if args.heads is not None and name not in args.heads:
                if name in previous.get("heads", {}):
                    report["heads"][name] = {
                        **previous["heads"][name],
                        "carried_over_from_previous_run": True,
                    }
                continue
            print(f"[{name}]")
            data = ds.HEAD_BUILDERS[name](corpus, 0)
            rows = data.splits["test"]
            probs = head.probabilities([r.text for r in rows])
            entry = {"thresholds": dict(zip(head.labels, map(r4, head.thresholds), strict=True))}
            entry["test"] = split_metrics(head, data, rows, probs)
            if not args.skip_unseen:
                entry["unseen"] = unseen_metrics(head, data, corpus, probs, print)
            report["heads"][name] = entry
    else:
        print(f"{args.data} not found: only the multilingual dev set is evaluated")
    print("[multilingual dev set]")
    report["multilingual"] = multilingual(heads)
    if args.data.is_dir():
        report["language_guess_unseen_english"] = {
            source: guessed_languages([r.text for r in rows]) for source, rows in corpus.unseen.items()
        }
    if args.weights is None:
        print("[input rail: lexical screen + encoder vs encoder only]")
        report["screened_rail"] = screened_rail(corpus if args.data.is_dir() else None, args.rail_sample)
    if args.latency:
        print("[latency]")
        report["latency"] = latency()
    # Which encoder backend produced the embeddings (auto: int8 with ONNX Runtime, else numpy).
    report["encoder_backend"] = encoder.backend_name
    report["seconds"] = round(time.perf_counter() - start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
