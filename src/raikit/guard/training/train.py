"""Train the guard classifier heads: ``train_heads(data_dir, out_dir, seed=0) -> report``.

For each head: featurise the train split the way :class:`~raikit.guard.classifier.LinearHead`
reads text at run time (embedding of the encoder view, or of each chunk, plus lexical blocks),
standardise, fit one scikit-learn ``LogisticRegression`` per label with per-source sample weights
balanced between classes (and, for the labels a head config lists under ``hidden``, a network
with one hidden layer on the same features and weights), fold the standardisation into the
weights, Platt-scale each label on the validation split (balanced), choose per-label thresholds
on validation benign items so that the union of labels flags at most ``fpr_target`` of them
(averaged over sources), and write
``NAME.npz`` + ``NAME.json``. scikit-learn is needed here only, never at run time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from raikit.guard import features as feat
from raikit.guard.classifier import ALL_BLOCKS, LexicalCache, LinearHead, ReadSpec
from raikit.guard.resources import EMBEDDING_DIM
from raikit.guard.training import datasets as ds
from raikit.guard.training.cache import CachedEncoder
from raikit.guard.training.data import Example, stable_fraction
from raikit.guard.training.metrics import auprc, rate, threshold_at_fpr, tpr_at_fpr, union_thresholds
from raikit.guard.training.screen import SCREENED_HEADS, train_screen

FloatArray = npt.NDArray[np.float32]
Log = Callable[[str], None]

PROMPT_VIEW = ReadSpec(reading="view", budget_tokens=64, head_share=0.75)
DOC_CHUNKS = ReadSpec(reading="chunks", chunk_tokens=48, stride_tokens=32, max_chunks=12)
HEAD_CONFIG: dict[str, dict[str, Any]] = {
    # harm: no lexical blocks (on English-only harmful data they learned "non-Latin script = benign")
    "harm": {
        "decision": ("any",),
        "blocks": (),
        "read": PROMPT_VIEW,
        "C": 0.5,
        "lang_proj": True,
        "benign_protos": 1500,
        "hidden": ("any",),
        "lang_shift": True,
    },
    "jailbreak": {
        "blocks": ALL_BLOCKS,
        "read": PROMPT_VIEW,
        "C": 0.5,
        "lang_proj": True,
        "benign_protos": 600,
    },
    "injection_context": {
        "blocks": ALL_BLOCKS,
        "read": DOC_CHUNKS,
        "C": 0.5,
        "lang_proj": False,
        "benign_protos": 600,
    },
    "toxicity": {
        "blocks": ("ngrams",),
        "read": DOC_CHUNKS,
        "C": 0.5,
        "lang_proj": True,
        "benign_protos": 600,
        "hidden": ("toxicity", "hate_speech"),
    },
}
FPR_TARGET = 0.02
PROTO_CAP = 600
UNSEEN_SAMPLE = 2000


def new_head(
    name: str,
    labels: Sequence[str],
    blocks: Sequence[str],
    read: ReadSpec,
    encoder: Any,
    prototypes: Sequence[str] = (),
    decision: Sequence[str] = (),
) -> LinearHead:
    dim = EMBEDDING_DIM + 2 * len(prototypes) + sum(feat.BLOCK_DIMS[b] for b in blocks)
    n = len(labels)
    arrays: dict[str, npt.NDArray[Any]] = {
        "W": np.zeros((n, dim), np.float32),
        "b": np.zeros(n, np.float32),
        "platt_a": np.ones(n, np.float32),
        "platt_c": np.zeros(n, np.float32),
        "thresholds": np.full(n, 0.5, np.float32),
        "proto": np.zeros((0, EMBEDDING_DIM), np.int8),
        "proto_scale": np.array(1.0, np.float32),
        "proto_index": np.zeros(0, np.intp),
        "proto_offsets": np.zeros(len(prototypes) + 1, np.intp),
    }
    meta = {
        "feature_version": feat.FEATURE_VERSION,
        "labels": list(labels),
        "blocks": list(blocks),
        "read": read.to_json(),
        "prototypes": list(prototypes),
        "decision_labels": list(decision or labels),
    }
    return LinearHead(name, arrays, meta, encoder=encoder, lexical=LexicalCache(size=0))


def training_rows(
    head: LinearHead, rows: Sequence[Example]
) -> tuple[list[str], list[int], list[frozenset[str] | None]]:
    """What to encode for fitting: one text per example (its view) or one per chunk, with the
    owning example's index and the row's labels (``None``: ambiguous chunk, left out)."""
    if head.read.reading == "view":
        views = [
            feat.encoder_view(r.text, head.read.budget_tokens, head_share=head.read.head_share) for r in rows
        ]
        return views, list(range(len(rows))), [r.labels for r in rows]
    texts: list[str] = []
    owners: list[int] = []
    labels: list[frozenset[str] | None] = []
    for i, row in enumerate(rows):
        flat = feat.flatten(row.text)
        span = (
            (int(row.meta["inject_start"]), int(row.meta["inject_end"]))
            if "inject_start" in row.meta
            else None
        )
        for a, b in feat.chunk_spans(flat, head.read.chunk_tokens, head.read.stride_tokens) or [(0, 0)]:
            texts.append(flat[a:b])
            owners.append(i)
            if span is None or not row.labels:
                labels.append(row.labels)
                continue
            overlap = max(0, min(b, span[1]) - max(a, span[0]))
            if overlap == 0:
                labels.append(frozenset())
            elif overlap >= 0.6 * (span[1] - span[0]) or overlap >= 0.5 * max(b - a, 1):
                labels.append(row.labels)
            else:
                labels.append(None)
    return texts, owners, labels


def _capped(indices: Sequence[int], keys: Sequence[str], cap: int) -> list[int]:
    """At most ``cap`` of ``indices``, a deterministic pseudo-random choice."""
    ranked = sorted(indices, key=lambda i: (stable_fraction(keys[i], "proto"), i))
    return sorted(ranked[:cap])


def choose_prototypes(
    head: LinearHead,
    data: ds.HeadData,
    texts: Sequence[str],
    labels: Sequence[frozenset[str] | None],
    sources: Sequence[str],
    keys: Sequence[str],
    emb: FloatArray,
    benign_cap: int,
) -> npt.NDArray[np.bool_]:
    """Set ``head``'s prototypes from the train rows; returns the leave-one-out mask
    (row i, prototype j share a near-duplicate group) to apply to training similarities."""
    groups: dict[str, list[int]] = {}
    for label in head.labels:
        idx = [
            i
            for i, lab in enumerate(labels)
            if lab and label in lab and sources[i] not in data.masked.get(label, ())
        ]
        groups[label] = _capped(idx, keys, PROTO_CAP)
    benign = [i for i, lab in enumerate(labels) if lab is not None and not lab]
    groups["benign_hard"] = _capped([i for i in benign if sources[i] == "hard_negatives"], keys, PROTO_CAP)
    groups["benign"] = _capped([i for i in benign if sources[i] != "hard_negatives"], keys, benign_cap)
    first_of: dict[str, int] = {}
    for i in sorted({i for idx in groups.values() for i in idx}):
        first_of.setdefault(texts[i], i)
    rows = sorted(set(first_of.values()))
    position = {i: p for p, i in enumerate(rows)}
    index: list[int] = []
    offsets = [0]
    for name in head.proto_names:
        index.extend(sorted({position[first_of[texts[i]]] for i in groups[name]}))
        offsets.append(len(index))
    head.set_prototypes(emb[rows], np.array(index, np.intp), np.array(offsets, np.intp))
    key_ids = {k: n for n, k in enumerate(sorted(set(keys)))}
    row_keys = np.array([key_ids[k] for k in keys])
    return np.asarray(row_keys[:, None] == row_keys[rows][None, :])


def _sample_weights(
    sources: Sequence[str], positive: npt.NDArray[np.bool_], weights: dict[str, float]
) -> FloatArray:
    """Per-source weights (default 0.1), normalised so each class carries half the total."""
    w = np.zeros(len(sources), np.float64)
    for cls in (True, False):
        idx = np.flatnonzero(positive == cls).tolist()
        counts = Counter(sources[i] for i in idx)
        raw = np.array([weights.get(sources[i], 0.1) / counts[sources[i]] for i in idx], dtype=np.float64)
        if raw.size:
            w[idx] = raw / raw.sum() * (len(sources) / 2)
    return w.astype(np.float32)


def language_basis(head: LinearHead, rows: Sequence[Example]) -> FloatArray | None:
    """Orthonormal basis of the language directions: mean embedding of each language's hard
    negatives minus the English mean (they are written on the same themes in every language);
    None without English and at least one other language."""
    langs = np.array([r.lang for r in rows])
    others = sorted(set(langs.tolist()) - {"en"})
    if not others or "en" not in langs:
        return None
    views = [
        feat.encoder_view(r.text, head.read.budget_tokens, head_share=head.read.head_share) for r in rows
    ]
    emb = head._encoder().encode(views)
    english = emb[langs == "en"].mean(axis=0)
    dirs = [emb[langs == lang].mean(axis=0) - english for lang in others]
    basis, _ = np.linalg.qr(np.stack(dirs, axis=1))
    return basis.astype(np.float32)


HIDDEN_UNITS = 512
HIDDEN_ALPHA = 0.1
HIDDEN_EPOCHS = 60


def fit_hidden(
    z: FloatArray, y: npt.NDArray[np.bool_], w: FloatArray, seed: int
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """One hidden layer (``HIDDEN_UNITS`` ReLUs, L2 ``HIDDEN_ALPHA``, Adam for ``HIDDEN_EPOCHS``
    epochs) on standardised features; returns ``W1, b1, w2, b2``. Measured on the harm head's
    splits: TPR at 1% FPR on the test split 0.68 -> 0.84 over the logistic score of the same features."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    net = MLPClassifier(
        hidden_layer_sizes=(HIDDEN_UNITS,),
        alpha=HIDDEN_ALPHA,
        max_iter=HIDDEN_EPOCHS,
        batch_size=min(256, len(z)),
        learning_rate_init=1e-3,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(z, y.astype(int), sample_weight=w)
    return (
        net.coefs_[0].T.astype(np.float32),
        net.intercepts_[0].astype(np.float32),
        net.coefs_[1][:, 0].astype(np.float32),
        float(net.intercepts_[1][0]),
    )


def fit_head(
    head: LinearHead,
    data: ds.HeadData,
    c_reg: float,
    seed: int,
    log: Log,
    benign_cap: int = 600,
    hidden: Sequence[str] = (),
) -> None:
    """Fit ``W`` and ``b`` (and choose the prototypes) of ``head`` in place on the train split;
    labels in ``hidden`` also get a hidden-layer score (:class:`~raikit.guard.classifier.HiddenLayer`)."""
    from sklearn.linear_model import LogisticRegression

    from raikit.guard.classifier import HiddenLayer, int8_rows

    rows = data.splits["train"]
    texts, owners, labels = training_rows(head, rows)
    emb = head.embed(texts)
    lexical = feat.lexical_matrix(texts if head.read.reading == "chunks" else [rows[o].text for o in owners])
    sources = [rows[o].source for o in owners]
    keys = [rows[o].key for o in owners]
    sims = emb @ head.proto.T
    if head.proto_names:
        leave_out = choose_prototypes(head, data, texts, labels, sources, keys, emb, benign_cap)
        sims = emb @ head.proto.T
        sims[leave_out] = -1.0
    feats = head.assemble(emb, sims, lexical)
    mu = feats.mean(axis=0)
    sd = np.maximum(feats.std(axis=0), 1e-3)
    z_all = (feats - mu) / sd
    fitted: dict[str, tuple[FloatArray, FloatArray, FloatArray, float]] = {}
    for j, label in enumerate(head.labels):
        keep = np.array(
            [lab is not None and sources[i] not in data.masked.get(label, ()) for i, lab in enumerate(labels)]
        )
        y = np.array([lab is not None and label in lab for lab in labels])
        idx = np.flatnonzero(keep)
        w = _sample_weights([sources[i] for i in idx], y[idx], data.source_weights)
        clf = LogisticRegression(C=c_reg, max_iter=3000, random_state=seed)
        clf.fit(z_all[idx], y[idx].astype(int), sample_weight=w)
        coef = clf.coef_[0] / sd
        head.W[j] = coef
        head.b[j] = clf.intercept_[0] - float(coef @ mu)
        log(f"    {label}: {int(y[idx].sum())} positive / {len(idx)} rows")
        if label in hidden:
            fitted[label] = fit_hidden(z_all[idx], y[idx], w, seed)
            log(f"    {label}: hidden layer of {HIDDEN_UNITS} units")
    if fitted:
        names = tuple(label for label in head.labels if label in fitted)
        w1s = [fitted[label][0] / sd for label in names]
        head.hidden = HiddenLayer(
            labels=names,
            columns=np.array([head.labels.index(label) for label in names], np.intp),
            W1=int8_rows(np.concatenate(w1s).astype(np.float32)),
            b1=np.concatenate(
                [fitted[label][1] - w1 @ mu for label, w1 in zip(names, w1s, strict=True)]
            ).astype(np.float32),
            W2=_block_diagonal([fitted[label][2] for label in names]),
            b2=np.array([fitted[label][3] for label in names], np.float32),
        )
        head.meta["hidden_labels"] = list(names)


def _block_diagonal(rows: Sequence[FloatArray]) -> FloatArray:
    """Output weights of several single-label networks stacked into one hidden layer."""
    out = np.zeros((len(rows), sum(r.size for r in rows)), np.float32)
    start = 0
    for i, r in enumerate(rows):
        out[i, start : start + r.size] = r
        start += r.size
    return out


def _platt(logits: FloatArray, y: npt.NDArray[np.bool_]) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if y.sum() < 3 or (~y).sum() < 3:
        return 1.0, 0.0
    clf = LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000)
    clf.fit(logits.reshape(-1, 1), y.astype(int))
    a = float(clf.coef_[0, 0])
    return (a, float(clf.intercept_[0])) if a > 0 else (1.0, 0.0)


def _positive(rows: Sequence[Example], label: str, data: ds.HeadData) -> npt.NDArray[np.bool_]:
    return np.array([label in r.labels and r.source not in data.masked.get(label, ()) for r in rows])


def calibrate_head(head: LinearHead, data: ds.HeadData, fpr_target: float) -> dict[str, Any]:
    """Platt scaling and union thresholds from the validation split."""
    rows = data.splits["val"]
    logits = head.text_logits([r.text for r in rows])
    for j, label in enumerate(head.labels):
        pos = _positive(rows, label, data)
        benign = np.array([not r.labels for r in rows])
        sel = pos | benign
        head.platt_a[j], head.platt_c[j] = _platt(logits[sel, j], pos[sel])
    probs = head.calibrate(logits)
    benign = np.array([not r.labels for r in rows])
    decision = [j for j, label in enumerate(head.labels) if label in head.decision_labels]
    thresholds, achieved = union_thresholds(
        probs[benign][:, decision], [r.source for r in rows if not r.labels], fpr_target
    )
    for j in range(len(head.labels)):
        head.thresholds[j] = (
            thresholds[decision.index(j)] if j in decision else threshold_at_fpr(probs[benign, j], fpr_target)
        )
    return {"val_macro_fpr_union": achieved, **evaluate(head, data, rows, probs)}


def evaluate(
    head: LinearHead, data: ds.HeadData, rows: Sequence[Example], probs: FloatArray
) -> dict[str, Any]:
    """AUPRC / TPR at 1% FPR per label against benign items, TPR at the shipped thresholds, and
    the share of each benign source flagged by the union of labels."""
    benign = np.array([not r.labels for r in rows])
    risks = np.array(
        [[head.risk(lab, float(p)) for lab, p in zip(head.labels, row, strict=True)] for row in probs]
    )
    decision = [j for j, label in enumerate(head.labels) if label in head.decision_labels]
    flagged: npt.NDArray[np.bool_] = (
        np.asarray((risks[:, decision] >= 0.5).any(axis=1)) if len(rows) else np.zeros(0, bool)
    )
    out: dict[str, Any] = {"labels": {}, "benign_fpr": {}}
    for j, label in enumerate(head.labels):
        pos = _positive(rows, label, data)
        sel = pos | benign
        out["labels"][label] = {
            "n_positive": int(pos.sum()),
            "auprc": auprc(probs[sel, j], pos[sel]),
            "tpr_at_1pct_fpr": tpr_at_fpr(probs[sel, j], pos[sel], 0.01),
            "tpr_at_threshold": rate(flagged[pos].astype(np.float64), 0.5) if pos.any() else None,
            "tpr_label_at_threshold": rate(risks[pos, j], 0.5) if pos.any() else None,
        }
    for source in sorted({r.source for r in rows if not r.labels}):
        idx = np.array([not r.labels and r.source == source for r in rows])
        out["benign_fpr"][source] = {"n": int(idx.sum()), "fpr": float(flagged[idx].mean())}
    return out


def _file_hashes(data_dir: Path) -> dict[str, str]:
    names = (
        "advbench",
        "do_not_answer",
        "simple_safety_tests",
        "jailbreak_llms_in_the_wild",
        "alpaca_instructions",
        "toxigen",
        "realtoxicityprompts_challenging_subset",
        "bipia",
        "presidio_synth_pii",
    )
    out: dict[str, str] = {}
    for name in names:
        for path in sorted((data_dir / name).rglob("*")):
            if (
                path.is_file()
                and path.suffix in {".csv", ".json", ".jsonl", ".txt"}
                and "LICENSE" not in path.name
            ):
                out[str(path.relative_to(data_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _text_hash(rows: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for text in sorted(r.text for r in rows):
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _quantized_prototypes(head: LinearHead) -> dict[str, npt.NDArray[Any]]:
    """Prototypes as int8 with one global scale (cosine error ~1e-3), and their group index."""
    scale = float(np.abs(head.proto).max()) / 127.0 if head.proto.size else 1.0
    offsets = np.cumsum([0, *(len(g) for g in head.proto_groups)]).astype(np.int32)
    index = np.concatenate(head.proto_groups).astype(np.int32) if head.proto_groups else np.zeros(0, np.int32)
    return {
        "proto": np.round(head.proto / scale).astype(np.int8),
        "proto_scale": np.array(scale, np.float32),
        "proto_index": index,
        "proto_offsets": offsets,
    }


def save_head(head: LinearHead, out_dir: Path, meta: dict[str, Any]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, npt.NDArray[Any]] = {
        "W": head.W.astype(np.float32),
        "b": head.b.astype(np.float32),
        "platt_a": head.platt_a.astype(np.float32),
        "platt_c": head.platt_c.astype(np.float32),
        "thresholds": head.thresholds.astype(np.float32),
        "lang_basis": np.zeros((0,), np.float32) if head.lang_basis is None else head.lang_basis,
        **_quantized_prototypes(head),
        **(head.hidden.arrays() if head.hidden is not None else {}),
    }
    save_npz: Any = np.savez_compressed
    save_npz(out_dir / f"{head.name}.npz", **arrays)
    full = {
        **head.meta,
        **meta,
        "thresholds": dict(zip(head.labels, map(float, head.thresholds), strict=True)),
    }
    full["platt"] = {
        lab: [float(a), float(c)] for lab, a, c in zip(head.labels, head.platt_a, head.platt_c, strict=True)
    }
    (out_dir / f"{head.name}.json").write_text(
        json.dumps(full, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def train_one(
    name: str,
    data: ds.HeadData,
    encoder: Any,
    out_dir: Path,
    seed: int,
    log: Log,
    fpr_target: float = FPR_TARGET,
    view_budget: int | None = None,
) -> dict[str, Any]:
    config = dict(HEAD_CONFIG[name])
    if view_budget is not None and config["read"].reading == "view":
        config["read"] = ReadSpec(
            reading="view", budget_tokens=view_budget, head_share=config["read"].head_share
        )
    protos = (*data.labels, "benign_hard", "benign")
    head = new_head(
        name, data.labels, config["blocks"], config["read"], encoder, protos, config.get("decision", ())
    )
    sizes = {
        split: dict(sorted(Counter(r.source for r in rows).items())) for split, rows in data.splits.items()
    }
    counts = {split: len(rows) for split, rows in data.splits.items()}
    log(f"[{name}] train {counts['train']}, val {counts['val']}, test {counts['test']}")
    if config["lang_proj"]:
        hard = [r for r in data.splits["train"] if r.source == "hard_negatives"]
        head.lang_basis = language_basis(head, hard)
    fit_head(head, data, config["C"], seed, log, config["benign_protos"], config.get("hidden", ()))
    val = calibrate_head(head, data, fpr_target)
    if config.get("lang_shift"):  # after calibration: the thresholds are chosen without it
        from raikit.guard.training.lang_shift import fit_lang_shift

        fit = fit_lang_shift(head, [*data.splits["train"], *data.splits["val"]])
        head.proto_lang_shift = fit["shift"]
        head.meta["proto_lang_shift"], head.meta["proto_lang_shift_items"] = fit["shift"], fit["items"]
        log(f"[{name}] cross-lingual prototype shift {fit['shift']}")
    test_rows = data.splits["test"]
    test = evaluate(head, data, test_rows, head.probabilities([r.text for r in test_rows]))
    for label, m in test["labels"].items():
        log(f"    test {label}: AUPRC {m['auprc']}, TPR@1%FPR {m['tpr_at_1pct_fpr']}")
        log(f"      TPR at the thresholds {m['tpr_at_threshold']}")
    fprs = {k: round(v["fpr"], 4) for k, v in test["benign_fpr"].items()}
    log(f"    test benign FPR at thresholds: {fprs}")
    meta = {
        "name": name,
        "seed": seed,
        "C": config["C"],
        "fpr_target": fpr_target,
        "masked": {k: list(v) for k, v in data.masked.items()},
        "source_weights": data.source_weights,
        "split_sizes": sizes,
        "train_text_sha256": _text_hash(data.splits["train"]),
        "metrics": {"val": val, "test": test},
    }
    save_head(head, out_dir, meta)
    return meta


def unseen_fpr(out_dir: Path, corpus: ds.Corpus, encoder: Any, heads: Sequence[str]) -> dict[str, Any]:
    """Share of each unseen benign source flagged by each freshly trained head (sampled)."""
    out: dict[str, Any] = {}
    for name in heads:
        head = LinearHead.from_files(out_dir / f"{name}.npz", out_dir / f"{name}.json", encoder=encoder)
        out[name] = {}
        for source, rows in corpus.unseen.items():
            sample = [r.text for r in rows][:: max(1, len(rows) // UNSEEN_SAMPLE)][:UNSEEN_SAMPLE]
            out[name][source] = {"n": len(sample), "fpr": float(np.mean(head.flags(sample)))}
    return out


def train_heads(
    data_dir: Path,
    out_dir: Path,
    seed: int = 0,
    *,
    heads: Sequence[str] | None = None,
    cache: Path | None = None,
    view_budget: int | None = None,
    log: Log = print,
) -> dict[str, Any]:
    """Train the heads (all four by default) from ``data_dir`` into ``out_dir``; returns a report."""
    start = time.perf_counter()
    np.random.seed(seed)
    names = list(heads or ds.HEAD_BUILDERS)
    corpus = ds.load_corpus(Path(data_dir), seed, log=log)
    encoder = CachedEncoder(cache, log)
    report: dict[str, Any] = {"seed": seed, "data_dir": str(data_dir), "heads": {}}
    hashes = _file_hashes(Path(data_dir))
    for name in names:
        data = ds.HEAD_BUILDERS[name](corpus, seed)
        meta = train_one(name, data, encoder, Path(out_dir), seed, log, view_budget=view_budget)
        meta_path = Path(out_dir) / f"{name}.json"
        stored = json.loads(meta_path.read_text(encoding="utf-8"))
        stored["data_files_sha256"] = hashes
        meta_path.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        report["heads"][name] = meta["metrics"]
        encoder.save()
    if any(name in SCREENED_HEADS for name in names):
        report["screen"] = train_screen(corpus, Path(out_dir), seed, log)
    log("measuring unseen benign sources")
    report["unseen_benign_fpr"] = unseen_fpr(Path(out_dir), corpus, encoder, names)
    encoder.save()
    report["seconds"] = round(time.perf_counter() - start, 1)
    log(f"done in {report['seconds']} s")
    return report
