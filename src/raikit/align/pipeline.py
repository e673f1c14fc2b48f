"""The steps that turn suites, red-team findings and a base model into training files.

``build_data`` writes ``sft.jsonl`` (safe completions + self-distilled helpful answers) and
``pairs.jsonl`` (preference pairs) into a folder; ``ranked_candidate_pairs`` samples several
answers per train item from a model and pairs the reward model's best against its worst. The
CLI and ``bench/align_loop.py`` both call these; every generation goes through a JSONL cache,
so each step resumes after a kill.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from raikit.align.answers import AnswerSettings, answer_items
from raikit.align.base import materialise_base
from raikit.align.data import (
    ChatExample,
    PreferencePair,
    helpful_examples,
    safe_completion_examples,
    train_items,
    write_jsonl,
)
from raikit.align.preferences import pairs_from_answers, pairs_from_redteam, ranked_pairs
from raikit.align.reward import RewardModel
from raikit.align.style import load_style_guide
from raikit.evals.benchmarks.suites import load_dimension_suites
from raikit.evals.dataset import Sample

Advance = Callable[[int], None]


def suite_items(split: str = "all") -> list[Sample]:
    """raikit's per-dimension suite items (``train``, ``test`` or ``all``)."""
    items = [item for suite in load_dimension_suites() for item in suite.items]
    return [i for i in items if split in ("all", i.split)]


def build_data(
    out: Path,
    *,
    base: str | None = None,
    redteam: Sequence[Path] = (),
    settings: AnswerSettings | None = None,
    answer_only: Sequence[Sample] | None = None,
    extra: Sequence[Sample] = (),
    advance: Advance | None = None,
) -> dict[str, Any]:
    """Write ``sft.jsonl`` and ``pairs.jsonl`` to ``out``; with ``base``, self-distil its answers.

    ``extra`` adds train items to the suites' (for example :func:`raikit.align.corpus.corpus_items`).
    ``answer_only`` limits which train items the base model answers (all of them by default).
    """
    guide = load_style_guide()
    train = train_items([*suite_items("train"), *extra])
    sft: list[ChatExample] = safe_completion_examples(train, guide)
    pairs: list[PreferencePair] = []
    answered = 0
    if base is not None:
        asked = list(answer_only) if answer_only is not None else train
        answers = answer_items(
            materialise_base(base), asked, out / "base_answers.jsonl", settings, advance=advance
        )
        first = {k: v[0] for k, v in answers.items() if v}
        answered = len(first)
        sft += helpful_examples(train, first)
        pairs += pairs_from_answers(train, first, guide)
    for path in redteam:
        pairs += pairs_from_redteam(path, guide)
    counts = {
        "train_items": len(train),
        "answered_by_base": answered,
        "sft": write_jsonl(out / "sft.jsonl", sft),
        "sft_safe": sum(1 for e in sft if e.source == "style_guide"),
        "sft_helpful": sum(1 for e in sft if e.source == "self_distillation"),
        "sft_from_corpus": sum(1 for e in sft if e.id.startswith("corpus:")),
        "pairs": write_jsonl(out / "pairs.jsonl", pairs),
    }
    return counts


def ranked_candidate_pairs(
    model_folder: Path,
    reward: RewardModel,
    cache: Path,
    *,
    samples: Sequence[Sample] | None = None,
    settings: AnswerSettings | None = None,
    margin: float = 0.2,
    advance: Advance | None = None,
) -> list[PreferencePair]:
    """Sample candidates per train item, score them with ``reward``, pair best against worst."""
    items = list(samples) if samples is not None else train_items(suite_items("train"))
    settings = settings or AnswerSettings(num_answers=4, temperature=0.8)
    candidates = answer_items(model_folder, items, cache, settings, advance=advance)
    scores = {}
    for s in items:
        prompt = "\n".join(m.content for m in s.messages() if m.role == "user")
        texts = candidates[s.id]
        scores[s.id] = reward.score_dimension(s.dimension, [prompt] * len(texts), texts)
    return ranked_pairs(items, candidates, scores, margin=margin)
