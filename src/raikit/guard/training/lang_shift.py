"""Fit a head's cross-lingual prototype shift (:meth:`raikit.guard.classifier.LinearHead.lang_shifts`).

The authored prompts (:mod:`raikit.guard.training.i18n`) are parallel: every item is written in
all nine languages. For each item of the train split and each language, the drop of the head's
prototype similarity statistics from the English version to the translation is measured, and
the language's shift is the median drop over all items and statistics. Prototypes that are a
version of the item itself (cosine >= :data:`SELF_COSINE` with any of its translations: some
train rows are prototypes) are left out while that item is measured, so the shift reflects how
far a new request sits from the prototypes, not how close a training row sits to itself.

The shift is fitted on every authored item whose YAML says ``train`` (the head's train and
validation splits; never its test split), after the head's weights and thresholds: the
thresholds are chosen without it. The training command does this for the ``harm`` head, and
``python -m raikit.guard.training.lang_shift`` does the same on trained weights in place (the
shipped values), so both give the same head.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from raikit.guard.classifier import LinearHead, prototype_stats
from raikit.guard.language import LANGUAGES
from raikit.guard.products import matmul_t
from raikit.guard.training.data import Example
from raikit.guard.training.i18n import SOURCE, i18n_prompts

SELF_COSINE = 0.98
MIN_ITEMS = 20
"""A language needs this many parallel items with English for a shift to be fitted."""


def fit_lang_shift(head: LinearHead, rows: Sequence[Example]) -> dict[str, Any]:
    """``{"shift": {language: value}, "items": {language: n}}`` from the authored rows in ``rows``."""
    authored = [r for r in rows if r.source == SOURCE and r.group and r.lang in LANGUAGES]
    if not head.proto_names or not authored:
        return {"shift": {}, "items": {}}
    views = [head.lexical.get(r.text, head.read.budget_tokens, head.read.head_share)[0] for r in authored]
    emb = head.embed(views)
    sims = matmul_t(emb, head.proto)
    unit = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-6)
    proto_unit = head.proto / np.maximum(np.linalg.norm(head.proto, axis=1, keepdims=True), 1e-6)
    cosine = matmul_t(unit, proto_unit)
    groups: dict[str, dict[str, int]] = defaultdict(dict)
    for i, r in enumerate(authored):
        groups[r.group].setdefault(r.lang, i)
    for members in groups.values():
        idx = np.array(list(members.values()), np.intp)
        self_rows = np.flatnonzero((cosine[idx] >= SELF_COSINE).any(axis=0))
        sims[np.ix_(idx, self_rows)] = -1.0
    stats = prototype_stats(sims, head.proto_groups)
    shift: dict[str, float] = {}
    items: dict[str, int] = {}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        drops = [stats[m["en"]] - stats[m[lang]] for m in groups.values() if "en" in m and lang in m]
        items[lang] = len(drops)
        if len(drops) >= MIN_ITEMS:
            shift[lang] = round(float(np.median(np.stack(drops))), 4)
    return {"shift": shift, "items": items}


def main(argv: Sequence[str] | None = None) -> int:
    from raikit.guard.training.__main__ import DEFAULT_OUT

    parser = argparse.ArgumentParser(prog="python -m raikit.guard.training.lang_shift", description=__doc__)
    parser.add_argument("--weights", type=Path, default=DEFAULT_OUT, help="folder with NAME.npz + NAME.json")
    parser.add_argument("--head", default="harm")
    args = parser.parse_args(argv)
    npz, meta_path = args.weights / f"{args.head}.npz", args.weights / f"{args.head}.json"
    head = LinearHead.from_files(npz, meta_path)
    fit = fit_lang_shift(head, i18n_prompts("train"))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["proto_lang_shift"] = fit["shift"]
    meta["proto_lang_shift_items"] = fit["items"]
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(fit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
