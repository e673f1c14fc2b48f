"""Helpers shared by the robustness and security benchmarks: self-describing metric rows,
pairing attempts with their samples, and strict answer-label parsing."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel

from raikit.core.types import Attempt
from raikit.evals.metrics import bootstrap_rate
from raikit.evals.task import EvalSample

Direction = Literal["lower_is_better", "higher_is_better"]
YES_NO = {r"yes\b": "yes", r"no\b": "no"}
ModelT = TypeVar("ModelT", bound=BaseModel)


def load_package_data(filename: str, model: type[ModelT]) -> ModelT:
    """Validate ``raikit/evals/data/FILENAME`` (YAML shipped with the package) as ``model``."""
    text = (files("raikit.evals") / "data" / filename).read_text(encoding="utf-8")
    return model.model_validate(yaml.safe_load(text))


def metric_row(
    name: str,
    outcomes: Sequence[bool],
    *,
    dimension: str,
    direction: Direction,
    risk_category: str | None = None,
    customer_type: str | None = None,
    **labels: Any,
) -> dict[str, Any]:
    """One metric with its bootstrap 95% CI and everything a report needs to place it."""
    rate = bootstrap_rate(outcomes)
    return {
        "name": name,
        "value": rate.value,
        "ci_low": rate.low,
        "ci_high": rate.high,
        "n": rate.n,
        "successes": rate.successes,
        "dimension": dimension,
        "risk_category": risk_category,
        "customer_type": customer_type,
        "direction": direction,
        **labels,
    }


def difference_row(
    name: str,
    base: Sequence[bool],
    other: Sequence[bool],
    *,
    dimension: str,
    resamples: int = 2000,
    seed: int = 0,
    **labels: Any,
) -> dict[str, Any]:
    """``rate(base) - rate(other)`` over paired outcomes with a paired bootstrap 95% CI.

    Pairs are resampled together, so the interval reflects the per-item correlation between the
    two conditions (an item the model fails in both conditions does not widen the gap)."""
    if len(base) != len(other):
        raise ValueError("paired outcomes must have the same length")
    n = len(base)
    if n == 0:
        return {
            "name": name,
            "value": None,
            "ci_low": None,
            "ci_high": None,
            "n": 0,
            "dimension": dimension,
            "direction": "lower_is_better",
            **labels,
        }
    diffs = [int(a) - int(b) for a, b in zip(base, other, strict=True)]
    rng = random.Random(seed)
    values = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    return {
        "name": name,
        "value": sum(diffs) / n,
        "ci_low": values[int(0.025 * (resamples - 1))],
        "ci_high": values[int(0.975 * (resamples - 1))],
        "n": n,
        "dimension": dimension,
        "risk_category": None,
        "customer_type": None,
        "direction": "lower_is_better",
        **labels,
    }


@dataclass(frozen=True)
class Scored:
    """A sample with its finished attempt (errors and unscored attempts are left out)."""

    sample: EvalSample
    attempt: Attempt

    def score(self, name: str) -> float | None:
        found = self.attempt.scores.get(name)
        return None if found is None else found.value

    def flag(self, name: str) -> bool:
        return (self.score(name) or 0.0) >= 0.5


def scored_attempts(
    samples: Sequence[EvalSample], attempts: Iterable[Attempt], required: str
) -> tuple[list[Scored], int]:
    """Attempts paired with their samples, and how many failed or lack the ``required`` score."""
    by_id = {s.id: s for s in samples}
    done: list[Scored] = []
    errors = 0
    for attempt in attempts:
        sample = by_id.get(attempt.item_id)
        if sample is None:
            continue
        if attempt.error is not None or required not in attempt.scores:
            errors += 1
            continue
        done.append(Scored(sample, attempt))
    return done, errors


def group(items: Iterable[Scored], key: str) -> Iterator[tuple[str, list[Scored]]]:
    """Items grouped by a metadata value, groups in sorted order."""
    groups: dict[str, list[Scored]] = {}
    for item in items:
        groups.setdefault(str(item.sample.metadata.get(key)), []).append(item)
    yield from sorted(groups.items())


_LEAD = re.compile(
    r"^[\s*#>_`\"'(\[]*(?:(?:final\s+)?(?:answer|label|verdict)\s*[:\-]\s*)?[\s*_`\"'(\[]*", re.I
)


def first_label(text: str, labels: dict[str, str]) -> str | None:
    """The one label an answer commits to, or ``None`` when it commits to none or to several.

    ``labels`` maps a regular expression (matched case-insensitively) to its label. The answer
    must open with a label (after an optional ``Answer:``) or name exactly one label on its first
    line; anything else, including two labels, is unparseable and never counts as correct."""
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    lead = _LEAD.match(first)
    opening = first[lead.end() :] if lead else first
    at_start = {label for pattern, label in labels.items() if re.match(pattern, opening, re.I)}
    if len(at_start) == 1:
        return at_start.pop()
    named = {label for pattern, label in labels.items() if re.search(pattern, first, re.I)}
    return named.pop() if len(named) == 1 else None


def limited(items: Sequence[Any], limit: int | None) -> list[Any]:
    return list(items[:limit] if limit else items)
