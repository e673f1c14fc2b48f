"""Attackers: what to send at each step of an automated red-teaming run.

* :class:`FlirtAttacker`: FLIRT's feedback loop. Per category, the red LM writes a new payload from
  the category's exemplar queue; the payload inherits the technique chain of a parent exemplar
  (drawn from the queue, successful exemplars weighted up), mutated by the technique operators:
  usually when that chain has only ever failed in this category, rarely when it has worked or has
  not been tried yet;
  after the target answers, the queue is updated by the chosen strategy.
* :class:`SfsAttacker`: stochastic few-shot, the paper's baseline: the same red LM and in-context
  prompt, with exemplars sampled from the fixed seed pool, no feedback and no operators; what
  the red LM writes is sent (the best-rated of its tries), never a seed in its place unless it
  wrote nothing usable.
* :class:`SweepAttacker`: a static technique sweep: every technique in turn on the seed payloads.

Every step draws from its own ``random.Random`` seeded with ``(seed, step)``, so a run that is
killed and resumed sends exactly what an uninterrupted run would have sent: the attacker's
state is rebuilt by replaying the stored attempts through :meth:`Attacker.observe`.
"""

from __future__ import annotations

import random
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from raikit.redteam.attackers.exemplars import Exemplar, by_category
from raikit.redteam.attackers.operators import TechniqueOperators, queries_needed
from raikit.redteam.attackers.queue import ExemplarQueue, ScoredExemplar, ScoringWeights, make_queue
from raikit.redteam.attackers.red_lm import RedLM
from raikit.redteam.techniques import TechniqueResult

IntentJudge = Callable[[str], float]


@dataclass(frozen=True)
class AttackPlan:
    """What one step sends: the candidate exemplar and the technique result built from it."""

    step: int
    candidate: Exemplar
    origin: str
    """``red-lm`` (new payload), ``operator`` (exemplar payload, mutated chain), ``seed`` or ``sweep``."""
    result: TechniqueResult
    intent: float | None = None

    @property
    def queries(self) -> int:
        return queries_needed(self.result)


@dataclass(frozen=True)
class Written:
    """A payload the red LM wrote, its harm-judge score, and whether that score reached the threshold."""

    payload: str
    intent: float
    harmful: bool


def step_rng(seed: int, step: int) -> random.Random:
    return random.Random(f"redteam:{seed}:{step}")


def lm_seed(seed: int, step: int, attempt: int) -> int:
    return zlib.crc32(f"{seed}:{step}:{attempt}".encode()) & 0x7FFFFFFF


def category_title(category: str) -> str:
    return category.replace("_", " ")


class Attacker(ABC):
    """Plans one attack per step and learns from the scored outcome."""

    strategy: str = ""

    def __init__(self, seeds: Sequence[Exemplar], operators: TechniqueOperators, *, seed: int = 0) -> None:
        self.pool: dict[str, list[Exemplar]] = by_category(seeds)
        if not self.pool:
            raise ValueError("an attacker needs at least one seed exemplar")
        self.categories = list(self.pool)
        self.operators = operators
        self.seed = seed
        self.tried: set[str] = set()

    def category_at(self, step: int) -> str:
        return self.categories[step % len(self.categories)]

    @abstractmethod
    def plan(self, step: int, max_queries: int) -> AttackPlan:
        """The attack of ``step``, sending at most ``max_queries`` target queries."""

    def observe(self, plan_candidate: Exemplar, scored: ScoredExemplar) -> bool:
        """Learn from a scored attack; return whether the attacker's state (queue) changed."""
        self.tried.add(plan_candidate.key)
        return False

    def describe(self) -> dict[str, object]:
        return {"strategy": self.strategy}

    def _fit(
        self, payload: str, chain: tuple[str, ...], rng: random.Random, step: int, max_queries: int
    ) -> TechniqueResult:
        """Apply ``chain``; a conversation longer than the budget left falls back to the plain payload."""
        result = self.operators.apply(payload, chain, step)
        if queries_needed(result) > max_queries:
            result = self.operators.apply(payload, (), step)
        return result


class _WritingAttacker(Attacker):
    """Shared by FLIRT and SFS: the red LM writes payloads, checked by the harm judge."""

    def __init__(
        self,
        seeds: Sequence[Exemplar],
        operators: TechniqueOperators,
        red_lm: RedLM,
        intent: IntentJudge,
        *,
        seed: int = 0,
        intent_threshold: float = 0.5,
        lm_tries: int = 2,
    ) -> None:
        super().__init__(seeds, operators, seed=seed)
        self.red_lm = red_lm
        self.intent = intent
        self.intent_threshold = intent_threshold
        self.lm_tries = lm_tries
        self.rejected: dict[str, int] = {"unusable": 0, "duplicate": 0, "benign": 0}

    def write(
        self, exemplars: Sequence[Exemplar], category: str, language: str, step: int, chain: tuple[str, ...]
    ) -> Written | None:
        """The first payload of up to ``lm_tries`` that the harm judge rates harmful; failing that,
        the best-rated usable one (``harmful`` False); None when every try was unusable or a repeat."""
        known = {e.payload.lower() for e in exemplars}
        best: Written | None = None
        for attempt in range(self.lm_tries):
            payload = self.red_lm.write(
                exemplars, category_title(category), language, seed=lm_seed(self.seed, step, attempt)
            )
            if payload is None:
                self.rejected["unusable"] += 1
                continue
            key = Exemplar(payload=payload, category=category, techniques=chain).key
            if payload.lower() in known or key in self.tried:
                self.rejected["duplicate"] += 1
                continue
            score = self.intent(payload)
            if score >= self.intent_threshold:
                return Written(payload, score, True)
            self.rejected["benign"] += 1
            if best is None or score > best.intent:
                best = Written(payload, score, False)
        return best

    def describe(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "red_lm_calls": self.red_lm.calls,
            "red_lm_unusable": self.rejected["unusable"],
            "red_lm_duplicates": self.rejected["duplicate"],
            "red_lm_benign": self.rejected["benign"],
        }


class FlirtAttacker(_WritingAttacker):
    """FLIRT with one exemplar queue per category, updated by ``queue_strategy``."""

    def __init__(
        self,
        seeds: Sequence[Exemplar],
        operators: TechniqueOperators,
        red_lm: RedLM,
        intent: IntentJudge,
        queue_strategy: str,
        seed_scores: Mapping[str, ScoredExemplar],
        *,
        seed: int = 0,
        queue_size: int = 4,
        weights: ScoringWeights | None = None,
        patience: int = 10,
        explore: float = 0.8,
        exploit_mutation: float = 0.2,
        success_bonus: float = 3.0,
        intent_threshold: float = 0.5,
        lm_tries: int = 2,
    ) -> None:
        super().__init__(
            seeds, operators, red_lm, intent, seed=seed, intent_threshold=intent_threshold, lm_tries=lm_tries
        )
        self.strategy = f"flirt-{queue_strategy}"
        self.explore = explore
        self.exploit_mutation = exploit_mutation
        self.success_bonus = success_bonus
        self.chain_stats: dict[tuple[str, tuple[str, ...]], tuple[int, int]] = {}
        self.queues: dict[str, ExemplarQueue] = {}
        for category, exemplars in self.pool.items():
            order = random.Random(f"queue:{seed}:{category}").sample(exemplars, len(exemplars))
            initial = [seed_scores.get(e.key) or ScoredExemplar(e) for e in order]
            self.queues[category] = make_queue(
                queue_strategy, initial, size=queue_size, weights=weights, patience=patience
            )

    def plan(self, step: int, max_queries: int) -> AttackPlan:
        rng = step_rng(self.seed, step)
        category = self.category_at(step)
        queue = self.queues[category]
        weights = [1.0 + self.success_bonus * e.success for e in queue.entries]
        parent = rng.choices(queue.entries, weights=weights)[0]
        chain = parent.exemplar.techniques
        written = self.write(queue.exemplars, category, parent.exemplar.language, step, chain)
        tries, wins = self.chain_stats.get((category, chain), (0, 0))
        mutate_rate = self.explore if tries and not wins else self.exploit_mutation
        mutate = rng.random() < mutate_rate
        intent: float | None
        if written is not None and written.harmful:
            payload, intent, origin = written.payload, written.intent, "red-lm"
        else:
            # Operator fallback: recombine another exemplar's payload with the parent's chain; only
            # when every such pair has been tried already must the chain itself change.
            intent, origin = None, "operator"
            fresh = self._untried_payload(category, chain, rng)
            payload, mutate = (fresh, mutate) if fresh is not None else (parent.exemplar.payload, True)
        if mutate:
            chain = self.operators.mutate(chain, rng)
        candidate = Exemplar(
            payload=payload, category=category, language=parent.exemplar.language, techniques=chain
        )
        for _ in range(4):
            if candidate.key not in self.tried:
                break
            candidate = candidate.model_copy(
                update={"techniques": self.operators.mutate(candidate.techniques, rng)}
            )
        result = self._fit(candidate.payload, candidate.techniques, rng, step, max_queries)
        candidate = candidate.model_copy(
            update={
                "techniques": result.applied,
                "language": self.operators.language_of(result.applied, candidate.language),
            }
        )
        return AttackPlan(step, candidate, origin, result, intent)

    def _untried_payload(self, category: str, chain: tuple[str, ...], rng: random.Random) -> str | None:
        payloads = [e.payload for e in self.queues[category].exemplars] + [
            e.payload for e in self.pool[category]
        ]
        for payload in rng.sample(payloads, len(payloads)):
            if Exemplar(payload=payload, category=category, techniques=chain).key not in self.tried:
                return payload
        return None

    def observe(self, plan_candidate: Exemplar, scored: ScoredExemplar) -> bool:
        super().observe(plan_candidate, scored)
        key = (plan_candidate.category, plan_candidate.techniques)
        tries, wins = self.chain_stats.get(key, (0, 0))
        self.chain_stats[key] = (tries + 1, wins + int(scored.success))
        return self.queues[plan_candidate.category].offer(scored)

    def describe(self) -> dict[str, object]:
        out = super().describe()
        out["queues"] = {category: queue.describe() for category, queue in self.queues.items()}
        return out


class SfsAttacker(_WritingAttacker):
    """Stochastic few-shot: exemplars sampled from the fixed seed pool, no feedback, no operators."""

    strategy = "sfs"

    def __init__(
        self,
        seeds: Sequence[Exemplar],
        operators: TechniqueOperators,
        red_lm: RedLM,
        intent: IntentJudge,
        *,
        seed: int = 0,
        shots: int = 4,
        intent_threshold: float = 0.5,
        lm_tries: int = 2,
    ) -> None:
        super().__init__(
            seeds, operators, red_lm, intent, seed=seed, intent_threshold=intent_threshold, lm_tries=lm_tries
        )
        self.shots = shots

    def plan(self, step: int, max_queries: int) -> AttackPlan:
        rng = step_rng(self.seed, step)
        category = self.category_at(step)
        pool = self.pool[category]
        shots = rng.sample(pool, min(self.shots, len(pool)))
        parent = rng.choice(shots)
        # What the red LM wrote is sent even when the harm judge rates it benign (the paper's SFS
        # sends every generation); only when it wrote nothing usable does the seed go instead.
        written = self.write(shots, category, parent.language, step, parent.techniques)
        payload, intent, origin = (
            (parent.payload, None, "seed") if written is None else (written.payload, written.intent, "red-lm")
        )
        candidate = Exemplar(
            payload=payload, category=category, language=parent.language, techniques=parent.techniques
        )
        result = self._fit(candidate.payload, candidate.techniques, rng, step, max_queries)
        candidate = candidate.model_copy(update={"techniques": result.applied})
        return AttackPlan(step, candidate, origin, result, intent)


class SweepAttacker(Attacker):
    """Static sweep: technique after technique (categories interleaved) over the seed payloads."""

    strategy = "sweep"

    def __init__(self, seeds: Sequence[Exemplar], operators: TechniqueOperators, *, seed: int = 0) -> None:
        super().__init__(seeds, operators, seed=seed)
        self.order = operators.sweep_order(seed)

    def plan(self, step: int, max_queries: int) -> AttackPlan:
        rng = step_rng(self.seed, step)
        category = self.category_at(step)
        rounds = step // len(self.categories)
        pool = self.pool[category]
        exemplar = pool[rounds % len(pool)]
        chain: tuple[str, ...] = (self.order[rounds % len(self.order)],) if self.order else ()
        result = self._fit(exemplar.payload, chain, rng, step, max_queries)
        candidate = exemplar.model_copy(
            update={
                "techniques": result.applied,
                "language": self.operators.language_of(result.applied, exemplar.language),
            }
        )
        return AttackPlan(step, candidate, "sweep", result)
