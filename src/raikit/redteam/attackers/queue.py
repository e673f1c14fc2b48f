"""The four FLIRT exemplar-queue strategies (Mehrabi et al., EMNLP 2024, section 3).

The red LM learns in context from a small queue of exemplars; after each attack the queue is
updated by one of:

* **FIFO**: a successful prompt is appended and the oldest exemplar leaves. Fast to adapt, but the
  queue can drift away from the seeds' intent.
* **LIFO**: a successful prompt replaces the exemplar that entered last; the first exemplars (the
  seeds' intent) stay. Less drift, less diversity.
* **Scoring**: every prompt is a candidate; it replaces the exemplar whose removal gives the
  highest queue objective, if that beats the current objective. The objective is a weighted sum of
  attack effectiveness, diversity (mean pairwise embedding distance of the queue) and low toxicity
  of the prompts themselves.
* **Scoring-LIFO**: a candidate replaces the last-in exemplar only if that raises the objective;
  when the queue has not changed for ``patience`` offers it is replaced anyway, so the queue
  cannot stagnate.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from raikit.redteam.attackers.exemplars import Exemplar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class ScoringWeights:
    """Weights of the Scoring objectives (the paper's lambdas)."""

    effectiveness: float = 1.0
    diversity: float = 0.5
    low_toxicity: float = 0.2


@dataclass(frozen=True, eq=False)
class ScoredExemplar:
    """An exemplar with what the scorers said about the attack it produced."""

    exemplar: Exemplar
    effectiveness: float = 0.0
    toxicity: float = 0.0
    success: bool = False
    embedding: npt.NDArray[np.float32] | None = field(default=None, repr=False)
    tried: bool = False
    """False for seeds not sent yet: their effectiveness is unknown, not zero."""


def pairwise_diversity(embeddings: Sequence[npt.NDArray[np.float32]]) -> float:
    """Mean pairwise cosine distance (1 - cosine similarity); 0 for fewer than two vectors."""
    import numpy as np

    if len(embeddings) < 2:
        return 0.0
    matrix = np.stack([np.asarray(e, dtype=np.float64) for e in embeddings])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1.0, norms)
    sims = matrix @ matrix.T
    n = len(embeddings)
    upper = sims[np.triu_indices(n, k=1)]
    return float(np.mean(1.0 - upper))


def queue_objective(entries: Sequence[ScoredExemplar], weights: ScoringWeights) -> float:
    """The Scoring objective of a queue: weighted effectiveness, diversity and low toxicity."""
    if not entries:
        return 0.0
    n = len(entries)
    effectiveness = sum(e.effectiveness for e in entries) / n
    low_toxicity = sum(1.0 - e.toxicity for e in entries) / n
    vectors = [e.embedding for e in entries if e.embedding is not None]
    diversity = pairwise_diversity(vectors) if len(vectors) == n else 0.0
    return (
        weights.effectiveness * effectiveness
        + weights.diversity * diversity
        + weights.low_toxicity * low_toxicity
    )


class ExemplarQueue(ABC):
    """The in-context exemplars of one category and how they change after each attack."""

    name: str = ""

    def __init__(
        self,
        seeds: Sequence[ScoredExemplar],
        *,
        size: int = 4,
        weights: ScoringWeights | None = None,
        patience: int = 10,
    ) -> None:
        if size < 1:
            raise ValueError("queue size must be at least 1")
        self.size = size
        self.weights = weights or ScoringWeights()
        self.patience = patience
        self.entries: list[ScoredExemplar] = list(seeds[:size])
        self.updates = 0
        self.stale = 0

    @property
    def exemplars(self) -> list[Exemplar]:
        return [e.exemplar for e in self.entries]

    def offer(self, candidate: ScoredExemplar) -> bool:
        """Offer the attack just made; return whether the queue changed."""
        changed = self._offer(candidate)
        self.updates += changed
        self.stale = 0 if changed else self.stale + 1
        return changed

    @abstractmethod
    def _offer(self, candidate: ScoredExemplar) -> bool: ...

    def objective(self) -> float:
        return queue_objective(self.entries, self.weights)

    def _best_replacement(self, candidate: ScoredExemplar, slots: Sequence[int]) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        for slot in slots:
            trial = [*self.entries[:slot], candidate, *self.entries[slot + 1 :]]
            value = queue_objective(trial, self.weights)
            if best is None or value > best[1]:
                best = (slot, value)
        return best

    def describe(self) -> dict[str, Any]:
        return {
            "strategy": self.name,
            "updates": self.updates,
            "objective": round(self.objective(), 6),
            "exemplars": [e.exemplar.model_dump(mode="json") for e in self.entries],
        }


class FifoQueue(ExemplarQueue):
    name = "fifo"

    def _offer(self, candidate: ScoredExemplar) -> bool:
        if not candidate.success:
            return False
        self.entries.append(candidate)
        while len(self.entries) > self.size:
            self.entries.pop(0)
        return True


class LifoQueue(ExemplarQueue):
    name = "lifo"

    def _offer(self, candidate: ScoredExemplar) -> bool:
        if not candidate.success:
            return False
        if len(self.entries) < self.size:
            self.entries.append(candidate)
        else:
            self.entries[-1] = candidate
        return True


class ScoringQueue(ExemplarQueue):
    name = "scoring"

    def _offer(self, candidate: ScoredExemplar) -> bool:
        if len(self.entries) < self.size:
            self.entries.append(candidate)
            return True
        current = self.objective()
        best = self._best_replacement(candidate, range(len(self.entries)))
        if best is None or best[1] <= current:
            return False
        self.entries[best[0]] = candidate
        return True


class ScoringLifoQueue(ExemplarQueue):
    name = "scoring-lifo"

    def _offer(self, candidate: ScoredExemplar) -> bool:
        if len(self.entries) < self.size:
            self.entries.append(candidate)
            return True
        last = len(self.entries) - 1
        best = self._best_replacement(candidate, [last])
        improves = best is not None and best[1] > self.objective()
        if improves or self.stale + 1 >= self.patience:
            self.entries[last] = candidate
            return True
        return False


QUEUE_STRATEGIES: Mapping[str, type[ExemplarQueue]] = {
    cls.name: cls for cls in (FifoQueue, LifoQueue, ScoringQueue, ScoringLifoQueue)
}
"""Queue classes by strategy name (``flirt-<name>`` on the command line)."""


def make_queue(strategy: str, seeds: Sequence[ScoredExemplar], **options: Any) -> ExemplarQueue:
    try:
        cls = QUEUE_STRATEGIES[strategy]
    except KeyError:
        raise ValueError(
            f"unknown queue strategy {strategy!r}; valid: {', '.join(QUEUE_STRATEGIES)}"
        ) from None
    return cls(seeds, **options)


__all__ = [
    "QUEUE_STRATEGIES",
    "ExemplarQueue",
    "FifoQueue",
    "LifoQueue",
    "ScoredExemplar",
    "ScoringLifoQueue",
    "ScoringQueue",
    "ScoringWeights",
    "make_queue",
    "pairwise_diversity",
    "queue_objective",
]
