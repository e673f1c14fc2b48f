"""Train the lexical screen (:mod:`raikit.guard.screen`) with the heads it stands in front of.

For each screened head (``harm``, ``jailbreak``) the screen row is a logistic regression over the
sparse hashed n-gram features, fitted on that head's own train split (positives: any label;
class-balanced per-source weights, as for the heads). Its ``cut_low`` is the score under which at
most ``MISS_BUDGET`` of the head's validation positives fall: under it the screen alone calls a
prompt benign. The report gives, on the test split and on the unseen benign sources, the share
of positives the screen would wave through and the share of benign prompts it decides alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from raikit.guard.screen import SCREEN_DIM, SCREEN_VERSION, LexicalScreen, reads_as_english, screen_features
from raikit.guard.training import datasets as ds
from raikit.guard.training.data import Example

SCREENED_HEADS = ("harm", "jailbreak")
MISS_BUDGET = 0.005
WINDOW_TOKENS = 32
READ_TOKENS = 128
UNSEEN_SAMPLE = 4000
Log = Callable[[str], None]


def sparse_matrix(texts: Sequence[str]) -> Any:
    """The screen features of ``texts`` as a CSR matrix (``len(texts)`` x ``SCREEN_DIM``)."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[npt.NDArray[np.int64]] = []
    values: list[npt.NDArray[np.float32]] = []
    for text in texts:
        ids, vals = screen_features(text)
        indices.append(ids)
        values.append(vals)
        indptr.append(indptr[-1] + ids.size)
    return csr_matrix(
        (
            np.concatenate(values) if values else np.zeros(0, np.float32),
            np.concatenate(indices) if indices else np.zeros(0, np.int64),
            np.array(indptr, np.int64),
        ),
        shape=(len(texts), SCREEN_DIM),
    )


def _weights(rows: Sequence[Example], y: npt.NDArray[np.bool_], source_weights: dict[str, float]) -> Any:
    from raikit.guard.training.train import _sample_weights

    return _sample_weights([r.source for r in rows], y, source_weights)


def fit_row(data: ds.HeadData, seed: int) -> tuple[npt.NDArray[np.float32], float, float]:
    """One screen row for ``data``: weights, bias and ``cut_low``."""
    from sklearn.linear_model import LogisticRegression

    train = data.splits["train"]
    y = np.array([bool(r.labels) for r in train])
    clf = LogisticRegression(C=4.0, max_iter=2000, solver="liblinear", random_state=seed)
    clf.fit(
        sparse_matrix([r.text for r in train]),
        y.astype(int),
        sample_weight=_weights(train, y, data.source_weights),
    )
    w = clf.coef_[0].astype(np.float16).astype(np.float32)  # as shipped
    b = float(clf.intercept_[0])
    val = data.splits["val"]
    pos = np.array([bool(r.labels) for r in val])
    probe = LexicalScreen(
        {"W": w[None, :], "b": np.array([b], np.float32), "cut_low": np.zeros(1, np.float32)},
        {"screen_version": SCREEN_VERSION, "heads": [data.name], "read_tokens": READ_TOKENS},
    )
    scores = np.array([probe.score(r.text)[0] for r in val])
    cut = float(np.quantile(scores[pos], MISS_BUDGET, method="lower"))
    return w, b, cut


def _rates(screen: LexicalScreen, head: str, rows: Sequence[Example]) -> dict[str, Any]:
    decided = np.array([screen.verdict(head, r.text).benign for r in rows])
    pos = np.array([bool(r.labels) for r in rows])
    out: dict[str, Any] = {
        "positives_waved_through": round(float(decided[pos].mean()), 4) if pos.any() else None,
        "n_positive": int(pos.sum()),
        "benign_decided_alone": {},
    }
    for source in sorted({r.source for r in rows if not r.labels}):
        idx = np.array([not r.labels and r.source == source for r in rows])
        out["benign_decided_alone"][source] = round(float(decided[idx].mean()), 4)
    return out


def train_screen(corpus: ds.Corpus, out_dir: Path, seed: int, log: Log) -> dict[str, Any]:
    """Fit and save ``screen.npz`` + ``screen.json``; returns its report."""
    rows_w, rows_b, cuts = [], [], []
    datasets = {name: ds.HEAD_BUILDERS[name](corpus, seed) for name in SCREENED_HEADS}
    for name, data in datasets.items():
        w, b, cut = fit_row(data, seed)
        rows_w.append(w)
        rows_b.append(b)
        cuts.append(cut)
        log(f"[screen] {name}: cut_low {cut:.3f}")
    arrays = {
        "W": np.stack(rows_w).astype(np.float32),
        "b": np.array(rows_b, np.float32),
        "cut_low": np.array(cuts, np.float32),
    }
    meta: dict[str, Any] = {
        "screen_version": SCREEN_VERSION,
        "heads": list(SCREENED_HEADS),
        "window_tokens": WINDOW_TOKENS,
        "read_tokens": READ_TOKENS,
        "miss_budget": MISS_BUDGET,
        "seed": seed,
    }
    screen = LexicalScreen(arrays, meta)
    metrics: dict[str, Any] = {}
    for name, data in datasets.items():
        unseen = {}
        for source, rows in corpus.unseen.items():
            sample = [r.text for r in rows][:: max(1, len(rows) // UNSEEN_SAMPLE)][:UNSEEN_SAMPLE]
            unseen[source] = round(float(np.mean([screen.verdict(name, t).benign for t in sample])), 4)
        english = [r for r in data.splits["test"] if reads_as_english(r.text)]
        metrics[name] = {
            "test": _rates(screen, name, data.splits["test"]),
            "test_english_share": round(len(english) / max(1, len(data.splits["test"])), 4),
            "unseen_benign_decided_alone": unseen,
        }
        log(f"[screen] {name}: {json.dumps(metrics[name])}")
    meta["metrics"] = metrics
    out_dir.mkdir(parents=True, exist_ok=True)
    save: Any = np.savez_compressed
    save(out_dir / "screen.npz", W=arrays["W"].astype(np.float16), b=arrays["b"], cut_low=arrays["cut_low"])
    (out_dir / "screen.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return metrics
