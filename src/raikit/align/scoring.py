"""Adherence and false refusal of answers to suite items, scored as ``raikit eval`` scores them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from raikit.core.types import Completion
from raikit.evals.benchmarks.suites import to_eval_sample
from raikit.evals.dataset import Sample
from raikit.evals.metrics import bootstrap_rate
from raikit.evals.scorers import ExpectationScorer
from raikit.evals.task import SolverOutput


def passed(samples: Sequence[Sample], answers: Mapping[str, str]) -> dict[str, bool]:
    """Whether each answer does what its item expects (the evaluation's ExpectationScorer)."""
    scorer = ExpectationScorer()
    result = {}
    for s in samples:
        completion = Completion(text=answers[s.id], finish_reason="stop")
        output = SolverOutput(completion=completion, messages=list(s.messages()))
        result[s.id] = scorer(to_eval_sample(s), output)["passed"].value >= 0.5
    return result


def rates(samples: Sequence[Sample], answers: Mapping[str, str]) -> dict[str, Any]:
    """Adherence (adherence items passed) and false refusal (benign items refused), per language too."""
    verdicts = passed(samples, answers)

    def rate(kind: str, language: str | None = None) -> dict[str, Any]:
        values = [
            verdicts[s.id] if kind == "adherence" else not verdicts[s.id]
            for s in samples
            if s.kind == kind and (language is None or s.language == language)
        ]
        return bootstrap_rate(values).model_dump()

    return {
        "adherence": rate("adherence"),
        "false_refusal": rate("false_refusal"),
        "languages": {
            lang: {"adherence": rate("adherence", lang), "false_refusal": rate("false_refusal", lang)}
            for lang in sorted({s.language for s in samples})
        },
    }
