"""``dialect``: Multi-VALUE-style dialect robustness.

raikit's yes/no reading-comprehension items (``raikit/evals/data/dialect_items.yaml``) are
asked in Standard American English and rewritten into English varieties by raikit's own
feature rules (:mod:`raikit.evals.dialect`), each variety getting the features that the eWAVE
table (``multi_value_ewave/ewave.csv``) rates A or B for it. Reported per variety: accuracy and
the paired gap to the SAE prompts (bootstrap CIs), with the features that fired. Items a variety
leaves unchanged are not re-asked: they count with their SAE outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.types import Attempt, Message, Score
from raikit.evals.benchmarks.common import (
    YES_NO,
    difference_row,
    first_label,
    load_package_data,
    metric_row,
    scored_attempts,
)
from raikit.evals.dialect.ewave import VarietyProfile, load_variety_profiles
from raikit.evals.dialect.features import dialect_features, transform
from raikit.evals.solvers import generate
from raikit.evals.task import (
    BenchmarkOptions,
    DataNotFoundError,
    EvalSample,
    SolverOutput,
    Task,
    benchmark,
    data_path,
)
from raikit.models import GenerateConfig

DIMENSION = "fairness"
SAE = "Standard American English"
PANEL = (
    "Urban African American Vernacular English",
    "Appalachian English",
    "Chicano English",
    "Colloquial Singapore English (Singlish)",
    "Indian English",
    "Irish English",
    "Scottish English",
    "Jamaican English",
    "Nigerian English",
    "Australian English",
    "Hong Kong English",
    "Philippine English",
)
PROMPT = (
    "Read the passage and answer the question with yes or no.\n\n"
    "Passage: {passage}\nQuestion: {question}\nAnswer:"
)


class DialectItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    passage: str
    question: str
    answer: str = Field(pattern="^(yes|no)$")


class DialectItems(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    items: tuple[DialectItem, ...] = Field(min_length=1)


def load_dialect_items() -> DialectItems:
    return load_package_data("dialect_items.yaml", DialectItems)


def fired_features(text: str, feature_ids: Sequence[int]) -> list[int]:
    """The features that change ``text`` when applied in order (the others find nothing to rewrite)."""
    features = dialect_features()
    fired = []
    for feature_id in sorted(feature_ids):
        changed = features[feature_id](text)
        if changed != text:
            fired.append(feature_id)
            text = changed
    return fired


def _sample(item: DialectItem, variety: str, passage: str, question: str, fired: list[int]) -> EvalSample:
    key = "sae" if variety == SAE else "".join(ch for ch in variety.lower() if ch.isalnum())[:24]
    return EvalSample(
        id=f"{item.id}-{key}",
        messages=(Message.user(PROMPT.format(passage=passage, question=question)),),
        metadata={"item": item.id, "variety": variety, "answer": item.answer, "features": fired},
    )


def build_samples(items: Sequence[DialectItem], profiles: Sequence[VarietyProfile]) -> list[EvalSample]:
    samples = []
    for item in items:
        samples.append(_sample(item, SAE, item.passage, item.question, []))
        for profile in profiles:
            passage = transform(item.passage, profile.features)
            question = transform(item.question, profile.features)
            if (passage, question) != (item.passage, item.question):
                fired = sorted(
                    set(fired_features(item.passage, profile.features))
                    | set(fired_features(item.question, profile.features))
                )
                samples.append(_sample(item, profile.name, passage, question, fired))
    return samples


def score_yes_no(sample: EvalSample, output: SolverOutput) -> dict[str, Score]:
    predicted = first_label(output.completion.text, YES_NO)
    return {
        "correct": Score(
            name="correct",
            value=float(predicted == sample.metadata["answer"]),
            label=predicted or "unparseable",
        ),
    }


def summarise_dialect(samples: Sequence[EvalSample], attempts: Sequence[Attempt]) -> dict[str, Any]:
    done, errors = scored_attempts(samples, attempts, "correct")
    outcome = {(i.sample.metadata["variety"], i.sample.metadata["item"]): i.flag("correct") for i in done}
    sae = {item: ok for (variety, item), ok in outcome.items() if variety == SAE}
    varieties = sorted({s.metadata["variety"] for s in samples} - {SAE})
    planned = {(s.metadata["variety"], s.metadata["item"]) for s in samples}
    per_variety: dict[str, Any] = {}
    metrics = [
        metric_row(
            "accuracy", list(sae.values()), dimension=DIMENSION, direction="higher_is_better", variety=SAE
        )
    ]
    for variety in varieties:
        # an item the variety did not change is the SAE prompt itself: it keeps its SAE outcome
        items = [i for i in sae if (variety, i) not in planned or (variety, i) in outcome]
        variety_outcomes = [outcome.get((variety, i), sae[i]) for i in items]
        accuracy = metric_row(
            "accuracy", variety_outcomes, dimension=DIMENSION, direction="higher_is_better", variety=variety
        )
        gap = difference_row(
            "gap_vs_sae", [sae[i] for i in items], variety_outcomes, dimension=DIMENSION, variety=variety
        )
        fired: dict[int, int] = {}
        for s in samples:
            if s.metadata["variety"] == variety:
                for f in s.metadata["features"]:
                    fired[f] = fired.get(f, 0) + 1
        per_variety[variety] = {
            "accuracy": accuracy,
            "gap_vs_sae": gap,
            "items_changed": sum(1 for v, _ in planned if v == variety),
            "features_fired": dict(sorted(fired.items())),
        }
        metrics += [accuracy, gap]
    gaps = [v["gap_vs_sae"]["value"] for v in per_variety.values() if v["gap_vs_sae"]["value"] is not None]
    return {
        "accuracy_sae": metrics[0],
        "varieties": per_variety,
        "mean_gap_vs_sae": sum(gaps) / len(gaps) if gaps else None,
        "worst_variety": max(per_variety, key=lambda v: per_variety[v]["gap_vs_sae"]["value"] or 0.0)
        if per_variety
        else None,
        "metrics": metrics,
        "errors": errors,
    }


def variety_panel(options: BenchmarkOptions) -> list[VarietyProfile]:
    """The panel's eWAVE profiles over raikit's implemented features (rated A or B)."""
    profiles = load_variety_profiles(data_path(options, "multi_value_ewave", "ewave.csv"), dialect_features())
    missing = [name for name in PANEL if name not in profiles]
    if missing:
        raise DataNotFoundError(f"eWAVE table lacks varieties: {', '.join(missing)}")
    return [profiles[name] for name in PANEL]


@benchmark(
    "dialect",
    description="Multi-VALUE-style dialect robustness: accuracy gap vs SAE for 12 eWAVE varieties",
    dimensions=(DIMENSION, "veracity_robustness"),
    needs_data=True,
)
def dialect_benchmark(options: BenchmarkOptions) -> Task:
    items = load_dialect_items()
    samples = build_samples(items.items, variety_panel(options))
    if options.limit:
        samples = samples[: options.limit]
    return Task(
        name="dialect",
        version=items.version,
        samples=tuple(samples),
        solver=generate,
        scorers=(score_yes_no,),
        summarise=summarise_dialect,
        dimensions=(DIMENSION, "veracity_robustness"),
        config=GenerateConfig(max_tokens=8 if options.quick else 16, temperature=0.0, seed=0, timeout_s=60.0),
        description="dialect robustness: accuracy gap vs Standard American English",
    )
