"""SFT demonstrations and their JSONL chat format.

Two kinds of demonstration, built from the ``train`` split of raikit's suites only (the ``test``
split stays held out for before/after comparisons):

* **safe completions** for requests the model should decline (``refuse``/``avoid`` items): the
  style guide's refusal that explains why and offers a helpful alternative, in the item's
  language, after the item's earlier turns (multi-turn items stay multi-turn);
* **helpful answers** for benign prompts that merely sound risky (``comply`` items). No offline
  corpus has good answers to these prompts in nine languages (the shared Alpaca file has
  instructions only), so they come from the base model itself: its own answers, kept only when
  the refusal judge says they answer and they do not loop (self-distillation). Training on its
  own non-refusals anchors the model against the over-refusal a refusal-heavy SFT set would teach, without
  teaching it new (possibly wrong) facts in a style it cannot reproduce.

The chat format is the one TRL reads: ``{"messages": [{"role", "content"}, ...]}`` per line,
plus ``id``, ``dimension``, ``language`` and ``source`` for provenance. Preference pairs use
``{"prompt": [...], "chosen": [assistant], "rejected": [assistant]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from raikit.align.errors import AlignDataError
from raikit.align.style import StyleGuide
from raikit.evals.dataset import Sample
from raikit.evals.judges.refusal import RefusalJudge


class Turn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str
    content: str


class ChatExample(BaseModel):
    """One SFT demonstration: the conversation ending with the assistant turn to learn."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    messages: tuple[Turn, ...]
    dimension: str = "safety"
    language: str = "en"
    source: str = "raikit"


class PreferencePair(BaseModel):
    """A prompt (conversation up to the last user turn) with a chosen and a rejected answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    prompt: tuple[Turn, ...]
    chosen: tuple[Turn, ...]
    rejected: tuple[Turn, ...]
    dimension: str = "safety"
    language: str = "en"
    source: str = "raikit"


Record = TypeVar("Record", ChatExample, PreferencePair)


def prompt_turns(sample: Sample) -> tuple[Turn, ...]:
    return tuple(Turn(role=m.role, content=m.content) for m in sample.messages())


def assistant(text: str) -> tuple[Turn, ...]:
    return (Turn(role="assistant", content=text),)


def safe_completion(sample: Sample, guide: StyleGuide) -> str:
    return guide.refusal(sample.dimension, sample.language)


def train_items(samples: Iterable[Sample]) -> list[Sample]:
    """The items alignment data may use: the ``train`` split, never ``test``."""
    return [s for s in samples if s.split == "train"]


def safe_completion_examples(samples: Iterable[Sample], guide: StyleGuide) -> list[ChatExample]:
    """Style-guide safe completions for the train items that should be declined."""
    return [
        ChatExample(
            id=f"{s.id}:safe",
            messages=prompt_turns(s) + assistant(safe_completion(s, guide)),
            dimension=s.dimension,
            language=s.language,
            source="style_guide",
        )
        for s in train_items(samples)
        if s.kind == "adherence"
    ]


# Japanese, Chinese and Korean are written without spaces between words: each character counts.
_WORDS = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\s\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+"
)


def words(text: str) -> list[str]:
    """Words of ``text``; a CJK character is a word of its own (whitespace splitting would see a
    whole Japanese answer as one word, and drop every Japanese demonstration as too short)."""
    return _WORDS.findall(text)


def degenerate(text: str, *, min_distinct: float = 0.6) -> bool:
    """Whether an answer loops: too few distinct word trigrams (small models repeat themselves)."""
    tokens = words(text)
    trigrams = [tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
    return bool(trigrams) and len(set(trigrams)) / len(trigrams) < min_distinct


def helpful_examples(
    samples: Iterable[Sample],
    answers: Mapping[str, str],
    judge: RefusalJudge | None = None,
    *,
    min_words: int = 5,
) -> list[ChatExample]:
    """Demonstrations from ``answers`` (item id -> answer) to benign train items, refusals dropped."""
    judge = judge or RefusalJudge()
    kept = []
    for s in train_items(samples):
        answer = answers.get(s.id, "").strip()
        if (
            s.kind != "false_refusal"
            or len(words(answer)) < min_words
            or degenerate(answer)
            or judge.judge(answer).refusal
        ):
            continue
        kept.append(
            ChatExample(
                id=f"{s.id}:helpful",
                messages=prompt_turns(s) + assistant(answer),
                dimension=s.dimension,
                language=s.language,
                source="self_distillation",
            )
        )
    return kept


def write_jsonl(path: str | Path, records: Sequence[BaseModel]) -> int:
    """Write records one JSON object a line, atomically (a temporary file renamed into place)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")
    temporary.replace(target)
    return len(records)


def read_jsonl(path: str | Path, model: type[Record]) -> list[Record]:
    """Read a JSONL file of ``model`` records; a bad line is a one-line :class:`AlignDataError`."""
    source = Path(path)
    if not source.is_file():
        raise AlignDataError(f"no such file: {source}")
    records = []
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                records.append(model.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValidationError) as exc:
                first = str(exc).splitlines()[0]
                raise AlignDataError(f"{source}:{number}: not a {model.__name__} record ({first})") from exc
    if not records:
        raise AlignDataError(f"{source} holds no records")
    return records


def as_trl_rows(records: Sequence[BaseModel]) -> list[dict[str, Any]]:
    """Rows in TRL's conversational format (provenance fields dropped)."""
    keep = {"messages", "prompt", "chosen", "rejected"}
    return [{k: v for k, v in r.model_dump(mode="json").items() if k in keep} for r in records]
