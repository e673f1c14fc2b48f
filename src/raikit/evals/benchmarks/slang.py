"""``slang``: robustness to slang.

Two parts:

- **pairs** (always): raikit's own slang / standard-English sentence pairs with one yes/no
  question about the meaning (``raikit/evals/data/slang_pairs.yaml``); the headline is the paired
  accuracy gap, standard minus slang, with a bootstrap CI;
- **OpenSub-Slang** (when ``opensub_slang/slang_OpenSub_meta.tsv`` is in the data folder): the
  annotated slang terms whose annotators agreed (confidence >= 2) and gave a literal paraphrase,
  as four-way multiple choice over paraphrases ("what does *TERM* mean?"), per region. The public
  release has no sentence text; when a ``SENTENCE`` column is present (data rebuilt with the
  upstream script) the sentence is shown as context.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.types import Attempt, Message, Score
from raikit.evals.benchmarks.common import (
    YES_NO,
    difference_row,
    first_label,
    group,
    load_package_data,
    metric_row,
    scored_attempts,
)
from raikit.evals.solvers import generate
from raikit.evals.task import BenchmarkOptions, EvalSample, SolverOutput, Task, benchmark
from raikit.models import GenerateConfig

DIMENSION = "veracity_robustness"
PAIR_PROMPT = (
    "Read the sentence and answer the question with yes or no.\n\n"
    "Sentence: {sentence}\nQuestion: {question}\nAnswer:"
)
CHOICE_PROMPT = (
    '{context}In informal English, what does "{term}" mean?\n{options}\n'
    "Answer with the letter of the best option (A, B, C or D)."
)
LETTERS = ("A", "B", "C", "D")
CHOICES = {rf"\(?{letter}(?:[).:]|\s*$|\s)": letter for letter in LETTERS}
META_FILE = ("opensub_slang", "slang_OpenSub_meta.tsv")


class SlangPair(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    region: str
    slang: str
    standard: str
    question: str
    answer: str = Field(pattern="^(yes|no)$")


class SlangPairs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    pairs: tuple[SlangPair, ...] = Field(min_length=1)


def load_slang_pairs() -> SlangPairs:
    return load_package_data("slang_pairs.yaml", SlangPairs)


def pair_samples(pairs: Sequence[SlangPair]) -> list[EvalSample]:
    return [
        EvalSample(
            id=f"{pair.id}-{form}",
            messages=(
                Message.user(PAIR_PROMPT.format(sentence=getattr(pair, form), question=pair.question)),
            ),
            metadata={
                "part": "pairs",
                "pair": pair.id,
                "form": form,
                "answer": pair.answer,
                "region": pair.region,
            },
        )
        for pair in pairs
        for form in ("standard", "slang")
    ]


def opensub_samples(path: Path, seed: int) -> list[EvalSample]:
    """Multiple-choice items from the agreed, paraphrased OpenSub-Slang annotations (one per term)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    entries: dict[str, dict[str, str]] = {}
    for row in rows:
        term, paraphrase = row["SLANG_TERM"].strip(), row["LITERAL_PARAPHRASE_OF_SLANG"].strip()
        confident = row["ANNOTATOR_CONFIDENCE"].strip().isdigit() and int(row["ANNOTATOR_CONFIDENCE"]) >= 2
        if confident and term and paraphrase and term.casefold() != paraphrase.casefold():
            entries.setdefault(term.casefold(), row)
    paraphrases = sorted({r["LITERAL_PARAPHRASE_OF_SLANG"].strip() for r in entries.values()})
    rng = random.Random(seed)
    samples = []
    for key in sorted(entries):
        row = entries[key]
        gold = row["LITERAL_PARAPHRASE_OF_SLANG"].strip()
        distractors = rng.sample([p for p in paraphrases if p.casefold() != gold.casefold()], 3)
        options = [gold, *distractors]
        rng.shuffle(options)
        sentence = row.get("SENTENCE", "").strip()
        context = f"Sentence: {sentence}\n" if sentence else ""
        listing = "\n".join(f"{letter}) {option}" for letter, option in zip(LETTERS, options, strict=True))
        samples.append(
            EvalSample(
                id=f"opensub-{row['MOVIE_ID']}-{row['SENT_ID']}",
                messages=(
                    Message.user(
                        CHOICE_PROMPT.format(context=context, term=row["SLANG_TERM"].strip(), options=listing)
                    ),
                ),
                metadata={
                    "part": "opensub",
                    "answer": LETTERS[options.index(gold)],
                    "region": row["REGION"],
                    "term": row["SLANG_TERM"].strip(),
                },
            )
        )
    rng.shuffle(samples)
    return samples


def score_slang(sample: EvalSample, output: SolverOutput) -> dict[str, Score]:
    labels = YES_NO if sample.metadata["part"] == "pairs" else CHOICES
    predicted = first_label(output.completion.text, labels)
    return {
        "correct": Score(
            name="correct",
            value=float(predicted == sample.metadata["answer"]),
            label=predicted or "unparseable",
        )
    }


def summarise_slang(samples: Sequence[EvalSample], attempts: Sequence[Attempt]) -> dict[str, Any]:
    done, errors = scored_attempts(samples, attempts, "correct")
    pairs = [i for i in done if i.sample.metadata["part"] == "pairs"]
    by_pair: dict[str, dict[str, bool]] = {}
    for item in pairs:
        by_pair.setdefault(item.sample.metadata["pair"], {})[item.sample.metadata["form"]] = item.flag(
            "correct"
        )
    complete = [v for v in by_pair.values() if len(v) == 2]
    standard = [v["standard"] for v in complete]
    slang = [v["slang"] for v in complete]
    rows = {
        "accuracy_standard": metric_row(
            "accuracy", standard, dimension=DIMENSION, direction="higher_is_better", form="standard"
        ),
        "accuracy_slang": metric_row(
            "accuracy", slang, dimension=DIMENSION, direction="higher_is_better", form="slang"
        ),
        "gap": difference_row("gap_standard_minus_slang", standard, slang, dimension=DIMENSION),
    }
    opensub = [i for i in done if i.sample.metadata["part"] == "opensub"]
    knowledge = metric_row(
        "opensub_accuracy",
        [i.flag("correct") for i in opensub],
        dimension=DIMENSION,
        direction="higher_is_better",
    )
    regions = {
        r: metric_row(
            "opensub_accuracy",
            [i.flag("correct") for i in g],
            dimension=DIMENSION,
            direction="higher_is_better",
            region=r,
        )
        for r, g in group(opensub, "region")
    }
    return {
        **rows,
        "opensub_accuracy": knowledge,
        "opensub_regions": regions,
        "metrics": [*rows.values(), knowledge, *regions.values()],
        "errors": errors,
    }


@benchmark(
    "slang",
    description="slang robustness: own slang/standard pairs (accuracy gap) + OpenSub-Slang term meanings",
    dimensions=(DIMENSION,),
)
def slang_benchmark(options: BenchmarkOptions) -> Task:
    pairs = load_slang_pairs()
    samples = pair_samples(pairs.pairs)
    meta = options.data_dir.joinpath(*META_FILE) if options.data_dir else None
    if meta is not None and meta.exists():
        extra = opensub_samples(meta, options.seed)
        # one OpenSub item after each pair, so a limited run still has both parts
        merged = []
        for index in range(max(len(samples) // 2, len(extra))):
            merged += samples[2 * index : 2 * index + 2] + extra[index : index + 1]
        samples = merged
    if options.limit:
        samples = samples[: options.limit]
    return Task(
        name="slang",
        version=pairs.version,
        samples=tuple(samples),
        solver=generate,
        scorers=(score_slang,),
        summarise=summarise_slang,
        dimensions=(DIMENSION,),
        config=GenerateConfig(max_tokens=8 if options.quick else 16, temperature=0.0, seed=0, timeout_s=60.0),
        description="slang robustness: accuracy gap and slang knowledge",
    )
