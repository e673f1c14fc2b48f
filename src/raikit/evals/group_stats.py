"""Bootstrap estimates for per-group means and the gaps between groups (stdlib only).

Fairness benchmarks compare groups (BOLD's domains, TANGO's pronoun families): each group has a
mean of some per-item score, and the question is how far apart the groups are. Gaps are
resampled *within each group*, so a CI reflects the uncertainty of every group's mean at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Direction = Literal["lower_is_better", "higher_is_better"]
_TAIL = 0.025  # two-sided 95%


class Estimate(BaseModel):
    """A point estimate with a percentile-bootstrap 95% CI (``None`` values when there is no data)."""

    model_config = ConfigDict(frozen=True)

    value: float | None
    low: float | None
    high: float | None
    n: int


def _percentiles(values: list[float]) -> tuple[float, float]:
    values.sort()
    last = len(values) - 1
    return values[int(_TAIL * last)], values[int((1.0 - _TAIL) * last)]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def bootstrap_mean(values: Sequence[float], *, resamples: int = 1000, seed: int = 0) -> Estimate:
    """Mean of ``values`` and its bootstrap CI (no CI from a single value: it would be a point)."""
    n = len(values)
    if n == 0:
        return Estimate(value=None, low=None, high=None, n=0)
    if n == 1:
        return Estimate(value=float(values[0]), low=None, high=None, n=1)
    rng = random.Random(seed)
    boot = [_mean([values[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples)]
    low, high = _percentiles(boot)
    return Estimate(value=_mean(values), low=low, high=high, n=n)


GapStatistic = Callable[[Mapping[str, float]], float]


def max_min_gap(means: Mapping[str, float]) -> float:
    """Highest group mean minus lowest."""
    return max(means.values()) - min(means.values())


def max_deviation_from_mean(means: Mapping[str, float]) -> float:
    """Largest distance of a group mean from the unweighted mean of the group means."""
    centre = _mean(list(means.values()))
    return max(abs(v - centre) for v in means.values())


def bootstrap_gap(
    groups: Mapping[str, Sequence[float]],
    statistic: GapStatistic,
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> Estimate:
    """``statistic`` of the group means with a CI from resampling every group on its own.

    Groups with no values are left out; with fewer than two groups there is no gap (``None``).
    When a group has a single value the CI is left out (``None``): resampling cannot show that
    group's spread, and the interval would look far narrower than the truth.
    """
    filled = {g: list(v) for g, v in groups.items() if v}
    n = sum(len(v) for v in filled.values())
    if len(filled) < 2:
        return Estimate(value=None, low=None, high=None, n=n)
    if min(len(v) for v in filled.values()) < 2:
        point = statistic({g: _mean(v) for g, v in filled.items()})
        return Estimate(value=point, low=None, high=None, n=n)
    rng = random.Random(seed)
    boot = []
    for _ in range(resamples):
        means = {g: _mean([v[rng.randrange(len(v))] for _ in range(len(v))]) for g, v in filled.items()}
        boot.append(statistic(means))
    low, high = _percentiles(boot)
    point = statistic({g: _mean(v) for g, v in filled.items()})
    return Estimate(value=point, low=low, high=high, n=n)


def estimate_row(
    name: str, estimate: Estimate, *, dimension: str, direction: Direction, **labels: Any
) -> dict[str, Any]:
    """One self-describing metric row (the same keys as ``benchmarks.common.metric_row``)."""
    return {
        "name": name,
        "value": estimate.value,
        "ci_low": estimate.low,
        "ci_high": estimate.high,
        "n": estimate.n,
        "dimension": dimension,
        "risk_category": None,
        "customer_type": None,
        "direction": direction,
        **labels,
    }


def group_gap_rows(
    name: str,
    groups: Mapping[str, Sequence[float]],
    *,
    dimension: str,
    direction: Direction,
    seed: int = 0,
    **labels: Any,
) -> list[dict[str, Any]]:
    """Per-group means (``NAME`` with ``group``), then ``NAME_gap_max_min`` and ``NAME_gap_vs_mean``.

    The group rows keep ``direction``; gaps are always lower-is-better.
    """
    rows = [
        estimate_row(
            name, bootstrap_mean(v, seed=seed), dimension=dimension, direction=direction, group=g, **labels
        )
        for g, v in sorted(groups.items())
    ]
    for suffix, statistic in (("gap_max_min", max_min_gap), ("gap_vs_mean", max_deviation_from_mean)):
        gap = bootstrap_gap(groups, statistic, seed=seed)
        rows.append(
            estimate_row(
                f"{name}_{suffix}",
                gap,
                dimension=dimension,
                direction="lower_is_better",
                groups=len([v for v in groups.values() if v]),
                **labels,
            )
        )
    return rows
