"""Rates with bootstrap confidence intervals (stdlib only: the core install has no numpy)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class Rate(BaseModel):
    """A proportion with a percentile-bootstrap confidence interval."""

    model_config = ConfigDict(frozen=True)

    value: float | None
    low: float | None
    high: float | None
    n: int
    successes: int


def bootstrap_rate(
    outcomes: Sequence[bool], *, resamples: int = 2000, confidence: float = 0.95, seed: int = 0
) -> Rate:
    """Share of True outcomes and its percentile bootstrap CI; ``None`` values when there is no data."""
    if resamples < 1 or not 0.0 < confidence < 1.0:
        raise ValueError("resamples must be >= 1 and confidence in (0, 1)")
    n = len(outcomes)
    hits = sum(1 for o in outcomes if o)
    if n == 0:
        return Rate(value=None, low=None, high=None, n=0, successes=0)
    rng = random.Random(seed)
    values = sorted(sum(1 for _ in range(n) if outcomes[rng.randrange(n)]) / n for _ in range(resamples))
    tail = (1.0 - confidence) / 2.0
    low = values[int(tail * (resamples - 1))]
    high = values[int((1.0 - tail) * (resamples - 1))]
    return Rate(value=hits / n, low=low, high=high, n=n, successes=hits)
