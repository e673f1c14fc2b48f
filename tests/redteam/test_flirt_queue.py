"""FLIRT's exemplar-queue strategies: FIFO, LIFO, Scoring and Scoring-LIFO semantics."""

from __future__ import annotations

import numpy as np
import pytest

from raikit.redteam.attackers.exemplars import Exemplar
from raikit.redteam.attackers.queue import (
    FifoQueue,
    LifoQueue,
    ScoredExemplar,
    ScoringLifoQueue,
    ScoringQueue,
    ScoringWeights,
    make_queue,
    pairwise_diversity,
    queue_objective,
)


def vec(*values: float) -> np.ndarray:
    v = np.zeros(4, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def item(name: str, *, eff: float = 0.0, tox: float = 0.0, success: bool = False, emb=None) -> ScoredExemplar:
    return ScoredExemplar(
        Exemplar(payload=f"request {name}", category="test"),
        effectiveness=eff,
        toxicity=tox,
        success=success,
        embedding=emb if emb is not None else vec(1.0),
        tried=True,
    )


def names(queue) -> list[str]:
    return [e.exemplar.payload.removeprefix("request ") for e in queue.entries]


def seeds() -> list[ScoredExemplar]:
    return [item("a", emb=vec(1, 0)), item("b", emb=vec(0, 1)), item("c", emb=vec(0, 0, 1))]


def test_diversity_is_mean_pairwise_cosine_distance():
    assert pairwise_diversity([vec(1, 0), vec(0, 1)]) == pytest.approx(1.0)
    assert pairwise_diversity([vec(1, 0), vec(1, 0)]) == pytest.approx(0.0)
    assert pairwise_diversity([vec(1, 0), vec(0, 1), vec(1, 0)]) == pytest.approx(2 / 3)
    assert pairwise_diversity([vec(1)]) == 0.0


def test_fifo_appends_successes_and_drops_the_oldest():
    queue = FifoQueue(seeds(), size=3)
    assert not queue.offer(item("fail"))
    assert names(queue) == ["a", "b", "c"]
    assert queue.offer(item("x", success=True))
    assert names(queue) == ["b", "c", "x"]
    assert queue.offer(item("y", success=True))
    assert names(queue) == ["c", "x", "y"]
    assert queue.updates == 2


def test_lifo_replaces_the_last_in_and_keeps_the_first_exemplars():
    queue = LifoQueue(seeds(), size=3)
    assert not queue.offer(item("fail"))
    assert queue.offer(item("x", success=True))
    assert names(queue) == ["a", "b", "x"]
    assert queue.offer(item("y", success=True))
    assert names(queue) == ["a", "b", "y"]


def test_scoring_replaces_the_slot_that_maximises_the_objective():
    weights = ScoringWeights(effectiveness=1.0, diversity=0.0, low_toxicity=0.0)
    queue = ScoringQueue(
        [item("a", eff=0.9), item("b", eff=0.1), item("c", eff=0.5)], size=3, weights=weights
    )
    before = queue.objective()
    assert queue.offer(item("x", eff=0.6))  # not a success, but it raises the objective
    assert names(queue) == ["a", "x", "c"]
    assert queue.objective() > before
    assert not queue.offer(item("weak", eff=0.2, success=True))  # a success that lowers it is refused
    assert names(queue) == ["a", "x", "c"]


def test_scoring_weighs_diversity_and_low_toxicity():
    weights = ScoringWeights(effectiveness=0.0, diversity=1.0, low_toxicity=0.0)
    queue = ScoringQueue([item("a", emb=vec(1, 0)), item("a2", emb=vec(1, 0.05))], size=2, weights=weights)
    assert queue.offer(item("far", emb=vec(0, 1)))
    assert "far" in names(queue)
    assert not queue.offer(item("near", emb=vec(1, 0.01)))
    toxic = ScoringWeights(effectiveness=0.0, diversity=0.0, low_toxicity=1.0)
    clean = ScoringQueue([item("t1", tox=0.9), item("t2", tox=0.1)], size=2, weights=toxic)
    assert clean.offer(item("clean", tox=0.0))
    assert names(clean) == ["clean", "t2"]
    assert queue_objective(clean.entries, toxic) == pytest.approx(1 - 0.05)


def test_scoring_lifo_only_touches_the_last_slot_and_forces_after_patience():
    weights = ScoringWeights(effectiveness=1.0, diversity=0.0, low_toxicity=0.0)
    queue = ScoringLifoQueue(
        [item("a", eff=0.1), item("b", eff=0.9), item("c", eff=0.5)], size=3, weights=weights, patience=3
    )
    assert queue.offer(item("x", eff=0.7))  # better than c: replaces the last-in, not the weakest (a)
    assert names(queue) == ["a", "b", "x"]
    assert not queue.offer(item("low1", eff=0.0))
    assert not queue.offer(item("low2", eff=0.0))
    assert queue.stale == 2
    assert queue.offer(item("low3", eff=0.0))  # third offer without a change: forced in
    assert names(queue) == ["a", "b", "low3"]
    assert queue.stale == 0


def test_make_queue_rejects_unknown_strategies():
    assert isinstance(make_queue("lifo", seeds(), size=2), LifoQueue)
    with pytest.raises(ValueError, match="unknown queue strategy"):
        make_queue("random", seeds())
