"""Balanced selection: take one item from each queue in turn until enough are taken.

The alignment builders balance over languages (corpus prompts, evaluation subsets) and over kinds
of preference pair; they all take items round-robin from per-group queues, which
:func:`round_robin` does once for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def round_robin(queues: Iterable[Iterable[T]], limit: int) -> list[T]:
    """Up to ``limit`` items: the next item of each queue in turn, skipping exhausted queues."""
    active: list[Iterator[T]] = [iter(q) for q in queues]
    picked: list[T] = []
    while active and len(picked) < limit:
        for queue in list(active):
            if len(picked) >= limit:
                break
            try:
                picked.append(next(queue))
            except StopIteration:
                active.remove(queue)
    return picked
