"""Technique mutations used as FLIRT operators: add, replace or drop one technique of a chain.

Operators draw from the technique library: text and conversation outputs, plus the image
techniques when ``include_images`` is set (for a target that accepts images; ``run_redteam`` sets
it from the target). A category is drawn first and then a technique in it, so the seven
categories are explored evenly whatever their sizes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from raikit.core.types import Message
from raikit.redteam.delivery import conversation_steps
from raikit.redteam.techniques import (
    CompositionError,
    TechniqueLibrary,
    TechniqueResult,
    default_library,
)

MAX_CHAIN = 3


def plain_result(payload: str, seed: int) -> TechniqueResult:
    """The payload sent as it is (an empty chain)."""
    return TechniqueResult(payload, "text", (Message.user(payload),), (), seed)


def queries_needed(result: TechniqueResult) -> int:
    """How many target answers sending ``result`` takes (one per unanswered user turn)."""
    return max(1, len(conversation_steps(result.messages)))


class TechniqueOperators:
    """Apply and mutate technique chains drawn from ``library``."""

    def __init__(
        self, library: TechniqueLibrary | None = None, *, max_chain: int = 2, include_images: bool = False
    ) -> None:
        self.library = library or default_library()
        self.max_chain = max(1, min(MAX_CHAIN, max_chain))
        self.include_images = include_images
        self._by_category: dict[str, list[str]] | None = None

    @property
    def by_category(self) -> dict[str, list[str]]:
        if self._by_category is None:
            groups: dict[str, list[str]] = {}
            for technique in self.library.list():
                if self.include_images or technique.info.output != "image":
                    groups.setdefault(technique.info.category, []).append(technique.info.id)
            self._by_category = {k: groups[k] for k in sorted(groups)}
        return self._by_category

    def available(self) -> bool:
        return bool(self.by_category)

    def random_technique(self, rng: random.Random) -> str:
        category = rng.choice(sorted(self.by_category))
        return rng.choice(self.by_category[category])

    def valid(self, chain: Sequence[str]) -> bool:
        if not chain:
            return True
        try:
            self.library.chain(list(chain))
        except CompositionError:
            return False
        return True

    def mutate(self, chain: Sequence[str], rng: random.Random, *, tries: int = 8) -> tuple[str, ...]:
        """A different valid chain one edit away from ``chain`` (or ``chain`` if none is found)."""
        current = tuple(chain)
        if not self.available():
            return current
        for _ in range(tries):
            moves = ["replace", "add"] if current else ["add"]
            if len(current) >= self.max_chain:
                moves = ["replace", "drop"]
            elif current:
                moves.append("drop")
            move = rng.choice(moves)
            fresh = self.random_technique(rng)
            if move == "add":
                position = rng.randrange(len(current) + 1)
                candidate = (*current[:position], fresh, *current[position:])
            elif move == "replace":
                position = rng.randrange(len(current))
                candidate = (*current[:position], fresh, *current[position + 1 :])
            else:
                position = rng.randrange(len(current))
                candidate = (*current[:position], *current[position + 1 :])
            if candidate != current and len(set(candidate)) == len(candidate) and self.valid(candidate):
                return candidate
        return current

    def apply(self, payload: str, chain: Sequence[str], seed: int) -> TechniqueResult:
        if not chain:
            return plain_result(payload, seed)
        return self.library.chain(list(chain)).apply(payload, seed=seed)

    def language_of(self, chain: Sequence[str], default: str) -> str:
        """The language the attack is written in: a language technique's single language, if any."""
        for technique_id in reversed(chain):
            info = self.library.get(technique_id).info
            if info.category == "language" and len(info.languages) == 1:
                return info.languages[0]
        return default

    def sweep_order(self, seed: int) -> list[str]:
        """Every usable technique once, categories interleaved, in a seeded order."""
        rng = random.Random(f"sweep:{seed}")
        columns = [rng.sample(ids, len(ids)) for ids in self.by_category.values()]
        order: list[str] = []
        for row in range(max((len(c) for c in columns), default=0)):
            order.extend(column[row] for column in columns if row < len(column))
        return order
