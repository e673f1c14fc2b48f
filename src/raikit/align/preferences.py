"""Preference pairs (chosen/rejected) from evaluation answers, red-team exports and ranked candidates.

* an answer that broke policy (complied with a request it should decline, judged by the refusal
  judge, or matched a ``forbidden`` pattern) is **rejected**, the style-guide safe completion is
  **chosen** (id ``ITEM:decline``);
* an answer that helped with a benign item is **chosen** and the style-guide refusal of it is
  **rejected** (id ``ITEM:answer``), so the preference step pushes against over-refusal as hard
  as towards refusal;
* a red-team export (``raikit redteam export --training``) gives the rejected side directly.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

from raikit.align.data import PreferencePair, Turn, assistant, prompt_turns, train_items, words
from raikit.align.errors import AlignDataError
from raikit.align.sampling import round_robin
from raikit.align.style import StyleGuide
from raikit.core.errors import UnknownCategoryError
from raikit.core.taxonomy import DIMENSION_IDS, load_taxonomy
from raikit.evals.dataset import Sample
from raikit.evals.judges.refusal import RefusalJudge


def broke_policy(sample: Sample, answer: str, judge: RefusalJudge) -> bool:
    """Whether ``answer`` fails an adherence item (what the evaluation scorer counts as a failure)."""
    if sample.expect == "avoid":
        return any(re.search(p, answer, re.MULTILINE) for p in sample.forbidden)
    return not judge.judge(answer).refusal


def pairs_from_answers(
    samples: Iterable[Sample],
    answers: Mapping[str, str],
    guide: StyleGuide,
    judge: RefusalJudge | None = None,
    *,
    min_words: int = 5,
) -> list[PreferencePair]:
    """Pairs from a model's answers (item id -> answer) to the train items."""
    judge = judge or RefusalJudge()
    pairs = []
    for s in train_items(samples):
        answer = answers.get(s.id, "").strip()
        if not answer:
            continue
        refusal = guide.refusal(s.dimension, s.language)
        if s.kind == "adherence" and broke_policy(s, answer, judge):
            chosen, rejected, direction = refusal, answer, "decline"
        elif (
            s.kind == "false_refusal" and len(words(answer)) >= min_words and not judge.judge(answer).refusal
        ):
            chosen, rejected, direction = answer, refusal, "answer"
        else:
            continue
        pairs.append(
            PreferencePair(
                id=f"{s.id}:{direction}",
                prompt=prompt_turns(s),
                chosen=assistant(chosen),
                rejected=assistant(rejected),
                dimension=s.dimension,
                language=s.language,
                source="answers",
            )
        )
    return pairs


def category_dimension(category: str) -> str:
    """The RAI dimension of a red-team category (a harm id or a dimension id; else safety)."""
    if category in DIMENSION_IDS:
        return category
    try:
        return load_taxonomy().harm(category).dimension
    except UnknownCategoryError:
        return "safety"


def pairs_from_redteam(path: str | Path, guide: StyleGuide, *, language: str = "en") -> list[PreferencePair]:
    """Pairs from ``raikit redteam export --training`` JSONL: its rejected answer vs a safe completion."""
    source = Path(path)
    if not source.is_file():
        raise AlignDataError(f"no such file: {source}")
    pairs = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            prompt = tuple(Turn.model_validate(m) for m in row["prompt"])
            rejected = tuple(Turn.model_validate(m) for m in row["rejected"])
        except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
            raise AlignDataError(f"{source}:{number}: not a red-team training record ({exc})") from exc
        dimension = category_dimension(str(row.get("category", "safety")))
        pairs.append(
            PreferencePair(
                id=str(row.get("id", f"{source.stem}-{number}")),
                prompt=prompt,
                chosen=assistant(guide.refusal(dimension, language)),
                rejected=rejected,
                dimension=dimension,
                language=language,
                source=str(row.get("source", "redteam")),
            )
        )
    return pairs


def ranked_pairs(
    samples: Sequence[Sample],
    candidates: Mapping[str, Sequence[str]],
    scores: Mapping[str, Sequence[float]],
    *,
    margin: float = 0.2,
) -> list[PreferencePair]:
    """Best vs worst candidate per item by reward score, kept when the reward separates them."""
    pairs = []
    for s in samples:
        texts, values = candidates.get(s.id, ()), scores.get(s.id, ())
        if len(texts) < 2 or len(values) != len(texts):
            continue
        best = max(range(len(texts)), key=lambda i: values[i])
        worst = min(range(len(texts)), key=lambda i: values[i])
        if values[best] - values[worst] < margin or texts[best].strip() == texts[worst].strip():
            continue
        pairs.append(
            PreferencePair(
                id=f"{s.id}:ranked",
                prompt=prompt_turns(s),
                chosen=assistant(texts[best]),
                rejected=assistant(texts[worst]),
                dimension=s.dimension,
                language=s.language,
                source="reward_ranked",
            )
        )
    return pairs


def select_pairs(pairs: Sequence[PreferencePair], limit: int, seed: int = 0) -> list[PreferencePair]:
    """Up to ``limit`` pairs, round-robin over groups of (source, what the pair prefers).

    A pair from answers prefers declining (``:decline``: the item should be declined) or answering
    (``:answer``: a benign item whose refusal is rejected); the preference step needs both in
    equal measure, or it trades false refusals for adherence. Each group is in a seeded shuffled
    order, so the selection is reproducible.
    """
    if limit >= len(pairs):
        return list(pairs)
    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[PreferencePair]] = {}
    for p in pairs:
        groups.setdefault((p.source, p.id.rsplit(":", 1)[-1]), []).append(p)
    queues = []
    for _, group in sorted(groups.items()):
        rng.shuffle(group)
        queues.append(reversed(group))
    return round_robin(queues, limit)
