"""The alignment corpus: authored and public prompts, balanced, decontaminated against held-out items."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from raikit.align import PreferencePair, corpus_items, select_pairs
from raikit.align.data import Turn, assistant
from raikit.align.pipeline import build_data, suite_items
from raikit.evals.dataset import Sample
from raikit.guard.training.i18n import char_ngrams, i18n_prompts, jaccard

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def held(prompt: str, language: str) -> Sample:
    return Sample(
        id=f"held-{language}", dimension="safety", expect="refuse", prompt=prompt, language=language
    )


def test_items_are_train_items_balanced_over_languages_with_unique_ids() -> None:
    items, counts = corpus_items(held_out=suite_items("test"), harmful=90, benign=45)
    assert counts.harmful == 90 and counts.benign == 45
    assert Counter(s.expect for s in items) == {"refuse": 90, "comply": 45}
    assert all(s.split == "train" and "corpus" in s.tags for s in items)
    assert set(Counter(s.language for s in items if s.expect == "refuse").values()) == {10}
    assert set(Counter(s.language for s in items if s.expect == "comply").values()) == {5}
    assert len({s.id for s in items}) == len(items)
    assert {s.dimension for s in items if s.expect == "refuse"} >= {"safety", "privacy_security", "fairness"}


def test_the_same_seed_gives_the_same_items_and_another_seed_others() -> None:
    held_out = suite_items("test")
    first, _ = corpus_items(held_out=held_out, harmful=30, benign=20, seed=1)
    again, _ = corpus_items(held_out=held_out, harmful=30, benign=20, seed=1)
    other, _ = corpus_items(held_out=held_out, harmful=30, benign=20, seed=2)
    assert first == again
    assert [s.id for s in first] != [s.id for s in other]


def test_no_item_is_close_to_a_held_out_prompt_in_its_language() -> None:
    held_out = suite_items("test")
    items, counts = corpus_items(held_out=held_out, harmful=400, benign=300)
    assert counts.dropped_groups > 0  # the authored prompts do paraphrase a few suite probes
    grams: dict[str, list[frozenset[str]]] = {}
    for s in held_out:
        grams.setdefault(s.language, []).append(char_ngrams(s.prompt))
    for s in items:
        mine = char_ngrams(s.prompt)
        assert max(jaccard(mine, g) for g in grams[s.language]) < 0.25, s.id


def test_a_held_out_translation_removes_the_item_in_every_language() -> None:
    authored = next(e for e in i18n_prompts() if e.meta["kind"] == "harmful" and e.lang == "de")
    group = authored.group.replace(":", "-")
    items, _ = corpus_items(held_out=[held(authored.text, "de")], harmful=2000, benign=0)
    assert not [s for s in items if s.id.startswith(f"corpus:{group}:")]
    kept, _ = corpus_items(held_out=[], harmful=2000, benign=0)
    assert len([s for s in kept if s.id.startswith(f"corpus:{group}:")]) == 9


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent (public data for the corpus)")
def test_a_data_folder_adds_public_english_prompts() -> None:
    items, counts = corpus_items(held_out=suite_items("test"), data_dir=SHARED, harmful=450, benign=450)
    sources = Counter(s.tags[1] for s in items)
    assert sources["alpaca"] > 0 and sources["advbench"] + sources["do_not_answer"] > 0
    assert counts.harmful_pool > 2000 and counts.benign_pool > 10000


def test_build_data_adds_safe_completions_for_corpus_items(tmp_path: Path) -> None:
    extra, _ = corpus_items(held_out=suite_items("test"), harmful=18, benign=9)
    counts = build_data(tmp_path, extra=extra)
    suite_adherence = sum(s.kind == "adherence" for s in suite_items("train"))
    assert counts["sft"] == counts["sft_safe"] == suite_adherence + 18
    assert counts["sft_from_corpus"] == 18


def pair(id_: str, source: str = "answers") -> PreferencePair:
    return PreferencePair(
        id=id_,
        prompt=(Turn(role="user", content="q"),),
        chosen=assistant("yes"),
        rejected=assistant("no"),
        source=source,
    )


def test_select_pairs_balances_directions_and_sources_reproducibly() -> None:
    pairs = [pair(f"d{i}:decline") for i in range(30)] + [pair(f"a{i}:answer") for i in range(6)]
    pairs += [pair(f"r{i}:ranked", "reward_ranked") for i in range(10)]
    chosen = select_pairs(pairs, 18, seed=3)
    kinds = Counter(p.id.rsplit(":", 1)[-1] for p in chosen)
    assert kinds == {"decline": 6, "answer": 6, "ranked": 6}
    assert chosen == select_pairs(pairs, 18, seed=3)
    assert select_pairs(pairs, 100) == pairs
    assert Counter(p.id.rsplit(":", 1)[-1] for p in select_pairs(pairs, 30)) == {
        "decline": 14,
        "answer": 6,
        "ranked": 10,
    }


def test_round_robin_takes_in_turn_and_skips_exhausted_queues() -> None:
    from raikit.align.sampling import round_robin

    assert round_robin([[1, 2, 3], [10], [20, 21]], 5) == [1, 10, 20, 2, 21]
    assert round_robin([[1, 2, 3], [10], [20, 21]], 100) == [1, 10, 20, 2, 21, 3]
    assert round_robin([[], []], 3) == [] and round_robin([[1]], 0) == []
