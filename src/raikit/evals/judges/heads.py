"""Shared access to the guard's trained classifier heads for judges (loaded lazily, numpy inside)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from raikit.core.errors import RaikitError

if TYPE_CHECKING:
    from raikit.guard.classifier import LinearHead
    from raikit.guard.resources import Resources


class JudgeDependencyError(RaikitError):
    """A judge needs an optional dependency that is not installed."""


def new_resources() -> Resources:
    try:
        from raikit.guard.resources import Resources
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise JudgeDependencyError(
            "this judge needs the guard classifier heads: pip install 'raikit[guard]'"
        ) from exc
    return Resources()


def load_head(resources: Resources, name: str) -> LinearHead:
    """The guard head ``name``, shared with every judge and scanner built on ``resources``."""
    try:
        from raikit.guard.classifier import shared_head
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise JudgeDependencyError(
            f"the {name} judge needs numpy and the sentence encoder: pip install 'raikit[guard]'"
        ) from exc
    return shared_head(resources, name)


_WORD = re.compile(r"\S+")


def word_windows(text: str, size: int = 48, stride: int = 36, limit: int = 8) -> list[str]:
    """Overlapping word windows of ``text`` (at most ``limit``, always the first and the last).

    Heads that read one short view of a text (the harm head reads 64 tokens) would miss harmful
    content in the middle of a long answer; judging each window and keeping the worst does not.
    """
    words = _WORD.findall(text)
    if len(words) <= size:
        return [text]
    starts = list(range(0, len(words) - size + stride, stride))
    if len(starts) > limit:
        step = (len(starts) - 1) / (limit - 1)
        starts = sorted({starts[round(i * step)] for i in range(limit)})
    return [" ".join(words[s : s + size]) for s in starts]
