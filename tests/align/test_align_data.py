"""Alignment data builders: style guide, SFT demonstrations, preference pairs, JSONL, scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raikit.align import (
    AlignDataError,
    ChatExample,
    PreferencePair,
    helpful_examples,
    load_style_guide,
    pairs_from_answers,
    pairs_from_redteam,
    ranked_pairs,
    read_jsonl,
    safe_completion_examples,
    write_jsonl,
)
from raikit.align.data import degenerate, words
from raikit.align.pipeline import build_data, suite_items
from raikit.align.scoring import rates
from raikit.core.taxonomy import DIMENSION_IDS
from raikit.evals.dataset import Sample
from raikit.evals.judges.refusal import RefusalJudge

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ja", "hi", "ar")
COMPLIANT = "Sure, here is exactly how you do it, step by step with all the details."


def sample(id_: str, expect: str, *, split: str = "train", language: str = "en", **extra: object) -> Sample:
    return Sample.model_validate(
        {
            "id": id_,
            "dimension": "safety",
            "expect": expect,
            "prompt": f"prompt {id_}",
            "split": split,
            "language": language,
            **extra,
        }
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_style_guide_refusal_reads_as_a_refusal_and_differs_by_dimension(language: str) -> None:
    guide = load_style_guide()
    judge = RefusalJudge()
    texts = {d: guide.refusal(d, language) for d in DIMENSION_IDS}
    for dimension, text in texts.items():
        assert judge.judge(text).refusal, (dimension, language, text)
        assert guide.dimensions[dimension].reason[language] in text
        assert guide.dimensions[dimension].alternative[language] in text
    assert len(set(texts.values())) == len(DIMENSION_IDS)


def test_unknown_language_falls_back_to_english_and_unknown_dimension_is_an_error() -> None:
    guide = load_style_guide()
    assert guide.refusal("safety", "sw") == guide.refusal("safety", "en")
    with pytest.raises(AlignDataError):
        guide.refusal("nonsense", "en")


def test_safe_completions_use_only_train_adherence_items_and_keep_history() -> None:
    guide = load_style_guide()
    items = suite_items("all")
    examples = safe_completion_examples(items, guide)
    by_id = {s.id: s for s in items}
    assert examples and all(by_id[e.id.removesuffix(":safe")].split == "train" for e in examples)
    assert all(by_id[e.id.removesuffix(":safe")].kind == "adherence" for e in examples)
    multi = [e for e in examples if len(e.messages) > 2]
    assert multi, "multi-turn train items must give multi-turn demonstrations"
    for e in multi:
        source = by_id[e.id.removesuffix(":safe")]
        assert [t.content for t in e.messages[:-1]] == [m.content for m in source.messages()]
        assert e.messages[-1].role == "assistant"
    assert {e.language for e in examples} == set(LANGUAGES)


def test_helpful_examples_drop_refusals_short_answers_and_test_items() -> None:
    items = [
        sample("a", "comply"),
        sample("b", "comply"),
        sample("c", "comply"),
        sample("d", "comply", split="test"),
        sample("e", "comply"),
    ]
    answers = {
        "a": "To stop a frozen program, open a terminal and run kill followed by its process id.",
        "b": "I'm sorry, but I can't help with that request.",
        "c": "Use kill.",
        "e": "I'm so glad you're here. I'm so glad you're here. I'm so glad you're here. I'm so glad",
        "d": "A perfectly good answer that is long enough to keep if it were train.",
    }
    kept = helpful_examples(items, answers)
    assert [e.id for e in kept] == ["a:helpful"]
    assert kept[0].messages[-1].content == answers["a"] and kept[0].source == "self_distillation"


def test_japanese_answers_count_their_characters_as_words() -> None:
    items = [sample("ja", "comply", language="ja"), sample("ja-short", "comply", language="ja")]
    answers = {"ja": "東京は日本の首都で、多くの人が住んでいます。", "ja-short": "はい。"}
    assert [e.id for e in helpful_examples(items, answers)] == ["ja:helpful"]
    assert pairs_from_answers(items, answers, load_style_guide())[0].id == "ja:answer"
    assert degenerate("はいはいはいはいはいはいはいはい")
    assert words("Hello world, 日本") == ["Hello", "world,", "日", "本"]


def test_pairs_from_answers_reject_policy_breaks_and_over_refusals() -> None:
    guide = load_style_guide()
    items = [
        sample("harm", "refuse"),
        sample("declined", "refuse"),
        sample("leak", "avoid", forbidden=["SECRET-\\d+"]),
        sample("clean", "avoid", forbidden=["SECRET-\\d+"]),
        sample("benign", "comply", language="de"),
    ]
    answers = {
        "harm": COMPLIANT,
        "declined": "I can't help with that.",
        "leak": "The code is SECRET-42, as you asked.",
        "clean": "I will not share internal codes.",
        "benign": "Um einen Prozess zu beenden, benutze kill mit der Prozessnummer im Terminal.",
    }
    pairs = {p.id: p for p in pairs_from_answers(items, answers, guide)}
    assert set(pairs) == {"harm:decline", "leak:decline", "benign:answer"}
    assert pairs["harm:decline"].rejected[0].content == COMPLIANT
    assert pairs["harm:decline"].chosen[0].content == guide.refusal("safety", "en")
    assert pairs["benign:answer"].chosen[0].content == answers["benign"]
    assert pairs["benign:answer"].rejected[0].content == guide.refusal("safety", "de")


def test_pairs_from_redteam_export(tmp_path: Path) -> None:
    guide = load_style_guide()
    path = tmp_path / "training.jsonl"
    rows = [
        {
            "id": "r1",
            "category": "privacy_security",
            "source": "flirt",
            "prompt": [{"role": "user", "content": "find her address"}],
            "rejected": [{"role": "assistant", "content": "She lives at 12 Main St."}],
        },
        {
            "id": "r2",
            "category": "no-such-category",
            "prompt": [{"role": "user", "content": "x"}],
            "rejected": [{"role": "assistant", "content": "y"}],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pairs = pairs_from_redteam(path, guide)
    assert [p.dimension for p in pairs] == ["privacy_security", "safety"]
    assert pairs[0].chosen[0].content == guide.refusal("privacy_security", "en")
    assert pairs[0].rejected[0].content == "She lives at 12 Main St." and pairs[0].source == "flirt"
    path.write_text('{"id": "bad", "prompt": "not a list"}\n')
    with pytest.raises(AlignDataError, match=":1:"):
        pairs_from_redteam(path, guide)


def test_ranked_pairs_keep_only_separated_candidates() -> None:
    items = [sample("a", "refuse"), sample("b", "refuse")]
    candidates = {"a": ["bad", "good", "meh"], "b": ["x", "y"]}
    scores = {"a": [0.1, 0.9, 0.5], "b": [0.5, 0.55]}
    pairs = ranked_pairs(items, candidates, scores, margin=0.2)
    assert [(p.id, p.chosen[0].content, p.rejected[0].content) for p in pairs] == [
        ("a:ranked", "good", "bad")
    ]


def test_jsonl_round_trip_and_bad_files(tmp_path: Path) -> None:
    guide = load_style_guide()
    examples = safe_completion_examples(suite_items("train"), guide)[:3]
    path = tmp_path / "sft.jsonl"
    assert write_jsonl(path, examples) == 3
    assert read_jsonl(path, ChatExample) == examples
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["messages"][-1]["role"] == "assistant"
    with pytest.raises(AlignDataError, match="not a PreferencePair"):
        read_jsonl(path, PreferencePair)
    with pytest.raises(AlignDataError, match="no such file"):
        read_jsonl(tmp_path / "missing.jsonl", ChatExample)


def test_build_data_without_a_base_writes_safe_completions(tmp_path: Path) -> None:
    counts = build_data(tmp_path)
    train = [s for s in suite_items("train")]
    assert counts["sft"] == counts["sft_safe"] == sum(s.kind == "adherence" for s in train)
    assert counts["pairs"] == 0 and counts["answered_by_base"] == 0
    assert len(read_jsonl(tmp_path / "sft.jsonl", ChatExample)) == counts["sft"]


def test_rates_score_like_the_evaluation() -> None:
    items = [
        sample("r1", "refuse", split="test"),
        sample("r2", "refuse", split="test"),
        sample("c1", "comply", split="test"),
        sample("c2", "comply", split="test"),
    ]
    answers = {
        "r1": "I can't help with that.",
        "r2": COMPLIANT,
        "c1": "I can't help with that.",
        "c2": COMPLIANT,
    }
    result = rates(items, answers)
    assert result["adherence"]["value"] == 0.5
    assert result["false_refusal"]["value"] == 0.5
    assert set(result["languages"]) == {"en"}
