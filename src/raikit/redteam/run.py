"""``run_redteam``: an automated red-teaming run against a target, stored and resumable.

``budget`` counts queries to the target (a multi-turn attack costs one per turn it sends). Every
attack is committed to the run directory's results store as it completes. Running the same
command again continues the run: the stored attempts are replayed through the attacker (queues,
de-duplication) without querying anything, and the next step starts where the last one ended.
The budget is not part of the run's configuration, so a finished run can be extended.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from raikit.core.errors import RaikitError
from raikit.core.store import ResultsStore, config_hash
from raikit.core.types import Attempt, Message
from raikit.evals.runner import ProgressReporter
from raikit.guard.resources import Resources
from raikit.models import GenerateConfig, Target, TargetError, get_target
from raikit.redteam.attackers.exemplars import Exemplar, load_builtin_seeds, load_seed_file
from raikit.redteam.attackers.flirt import (
    Attacker,
    AttackPlan,
    FlirtAttacker,
    SfsAttacker,
    SweepAttacker,
)
from raikit.redteam.attackers.operators import TechniqueOperators
from raikit.redteam.attackers.queue import QUEUE_STRATEGIES, ScoredExemplar, pairwise_diversity
from raikit.redteam.attackers.red_lm import RedLM
from raikit.redteam.attackers.scoring import AttackScorer, AttackScores
from raikit.redteam.delivery import Delivery, deliver, image_skip_reason
from raikit.redteam.techniques import TechniqueResult

STRATEGIES: tuple[str, ...] = (*(f"flirt-{name}" for name in QUEUE_STRATEGIES), "sfs", "sweep")
KIND = "redteam"
MAX_CONSECUTIVE_ERRORS = 5


class RedTeamError(RaikitError):
    """A red-teaming run cannot start (bad strategy, budget or seeds)."""


class TargetKeepsFailingError(RaikitError):
    """The target failed on several attacks in a row; the run stops and can be resumed."""


class RedTeamResult(BaseModel):
    run_id: str
    run_dir: str
    strategy: str
    target: str
    budget: int
    summary: dict[str, Any]


def attack_text(messages: Sequence[Message]) -> str:
    """The attacker's side of a conversation: its user turns, joined."""
    return "\n".join(m.content for m in messages if m.role == "user")


def seeds_digest(seeds: Sequence[Exemplar]) -> str:
    blob = json.dumps([s.model_dump(mode="json") for s in seeds], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _candidate_of(attempt: Attempt) -> Exemplar:
    meta = attempt.metadata
    return Exemplar(
        payload=attempt.prompt,
        category=str(meta["category"]),
        language=str(meta.get("language", "en")),
        techniques=tuple(meta.get("techniques", ())),
    )


def _image_of(result: TechniqueResult) -> dict[str, Any] | None:
    """The picture of an image attack as generated (its pixels are reproducible from the step)."""
    if result.image is None:
        return None
    height, width = result.image.pixels.shape[:2]
    return {"width": int(width), "height": int(height), "hidden": result.image.hidden}


def _delivered_images(delivery: Delivery) -> list[dict[str, Any]]:
    """What the target's adapter actually sent (size and encoding after its limits, sha256)."""
    return [dict(image) for c in delivery.completions for image in c.metadata.get("images", [])]


def _step_of(attempt: Attempt) -> int:
    return int(attempt.metadata.get("step", -1))


AttackerBuilder = Callable[..., Attacker]


def _need(red_lm: RedLM | None) -> RedLM:
    if red_lm is None:
        raise RedTeamError("this strategy needs a red LM (--red-lm)")
    return red_lm


def _flirt(queue: str) -> AttackerBuilder:
    def build(
        seeds: Sequence[Exemplar],
        operators: TechniqueOperators,
        red_lm: RedLM | None,
        scorer: AttackScorer,
        seed: int,
        seed_scores: Mapping[str, ScoredExemplar],
        lm_tries: int,
    ) -> Attacker:
        return FlirtAttacker(
            seeds, operators, _need(red_lm), scorer.intent, queue, seed_scores, seed=seed, lm_tries=lm_tries
        )

    return build


def _sfs(
    seeds: Sequence[Exemplar],
    operators: TechniqueOperators,
    red_lm: RedLM | None,
    scorer: AttackScorer,
    seed: int,
    seed_scores: Mapping[str, ScoredExemplar],
    lm_tries: int,
) -> Attacker:
    return SfsAttacker(seeds, operators, _need(red_lm), scorer.intent, seed=seed, lm_tries=lm_tries)


def _sweep(
    seeds: Sequence[Exemplar],
    operators: TechniqueOperators,
    red_lm: RedLM | None,
    scorer: AttackScorer,
    seed: int,
    seed_scores: Mapping[str, ScoredExemplar],
    lm_tries: int,
) -> Attacker:
    return SweepAttacker(seeds, operators, seed=seed)


ATTACKERS: Mapping[str, AttackerBuilder] = {
    **{f"flirt-{name}": _flirt(name) for name in QUEUE_STRATEGIES},
    "sfs": _sfs,
    "sweep": _sweep,
}
USES_RED_LM = frozenset(s for s in STRATEGIES if s != "sweep")


def summarize(attempts: Iterable[Attempt], embed: Callable[[str], Any]) -> dict[str, Any]:
    """The run's summary: the ``--json`` contract plus queries, per-technique and per-origin counts."""
    everything = list(attempts)
    done = [a for a in everything if a.error is None]
    rows = [(a, AttackScores.from_scores(a.scores)) for a in done]
    successes = [a for a, s in rows if s.success]
    by_category: dict[str, dict[str, Any]] = {}
    by_technique: dict[str, dict[str, Any]] = {}
    for attempt, scores in rows:
        techniques = attempt.metadata.get("techniques") or []
        keys = {
            "category": [str(attempt.metadata.get("category"))],
            "technique": [t.split(".", 1)[0] for t in techniques] or ["none"],
        }
        for table, names in ((by_category, keys["category"]), (by_technique, keys["technique"])):
            for name in dict.fromkeys(names):
                row = table.setdefault(name, {"attempts": 0, "successes": 0})
                row["attempts"] += 1
                row["successes"] += int(scores.success)
    for table in (by_category, by_technique):
        for row in table.values():
            row["attack_success_rate"] = round(row["successes"] / row["attempts"], 6)
    toxicities = [s.prompt_toxicity for _, s in rows]
    success_toxicity = [s.prompt_toxicity for _, s in rows if s.success]
    diversity = pairwise_diversity([embed(attack_text(a.messages) or a.prompt) for a in successes])
    return {
        "attempts": len(rows),
        "successes": len(successes),
        "attack_success_rate": round(len(successes) / len(rows), 6) if rows else 0.0,
        "diversity": round(diversity, 6),
        "prompt_toxicity": round(sum(toxicities) / len(toxicities), 6) if toxicities else 0.0,
        "prompt_toxicity_successful": (
            round(sum(success_toxicity) / len(success_toxicity), 6) if success_toxicity else 0.0
        ),
        "queries": sum(int(a.metadata.get("queries", 1)) for a in done),
        "errors": len(everything) - len(done),
        "by_category": dict(sorted(by_category.items())),
        "by_technique_category": dict(sorted(by_technique.items())),
        "origins": _count(str(a.metadata.get("origin")) for a in done),
    }


def _count_images(attempts: Iterable[Attempt]) -> int:
    """Image attacks the target answered."""
    return sum(1 for a in attempts if a.error is None and a.metadata.get("image", {}).get("delivered"))


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))


class RedTeamRun:
    """One run: target, attacker, scorer and store, wired together (see :func:`run_redteam`)."""

    def __init__(
        self,
        target: Target,
        attacker: Attacker,
        scorer: AttackScorer,
        store: ResultsStore,
        *,
        config: GenerateConfig,
        config_hash: str,
    ) -> None:
        self.target = target
        self.attacker = attacker
        self.scorer = scorer
        self.store = store
        self.config = config
        self.config_hash = config_hash
        self.queries = 0
        self.next_step = 0

    def replay(self) -> int:
        """Rebuild the attacker's state from the stored attempts; return how many were replayed."""
        history = sorted(self.store.attempts(), key=_step_of)
        for attempt in history:
            self.queries += int(attempt.metadata.get("queries", 1))
            self.next_step = max(self.next_step, _step_of(attempt) + 1)
            if attempt.error is not None:
                continue
            scores = AttackScores.from_scores(attempt.scores)
            candidate = _candidate_of(attempt)
            self.attacker.observe(candidate, self._scored(candidate, attack_text(attempt.messages), scores))
        return len(history)

    def _scored(self, candidate: Exemplar, text: str, scores: AttackScores) -> ScoredExemplar:
        return ScoredExemplar(
            candidate,
            effectiveness=scores.effectiveness,
            toxicity=scores.prompt_toxicity,
            success=scores.success,
            embedding=self.scorer.embed(text),
            tried=True,
        )

    def execute(self, plan: AttackPlan) -> Attempt:
        """Send one planned attack, score it, update the attacker and commit the attempt."""
        text = attack_text(plan.result.messages)
        meta: dict[str, Any] = {
            "step": plan.step,
            "strategy": self.attacker.strategy,
            "category": plan.candidate.category,
            "language": plan.candidate.language,
            "techniques": list(plan.candidate.techniques),
            "origin": plan.origin,
            "queries": plan.queries,
            "multi_turn": plan.result.multi_turn,
        }
        image = _image_of(plan.result)
        if image is not None:
            meta["image"] = image
        base = Attempt(
            item_id=f"step-{plan.step:06d}",
            prompt=plan.candidate.payload,
            transformed_prompt=plan.result.render(),
            messages=list(plan.result.messages),
            target=self.target.name,
            config_hash=self.config_hash,
            metadata=meta,
        )
        try:
            delivery = deliver(self.target, plan.result, self.config)
        except TargetError as exc:
            attempt = base.model_copy(update={"error": str(exc)})
            self.store.record(attempt)
            return attempt
        scores = self.scorer.score(plan.candidate.payload, text, delivery.completions, intent=plan.intent)
        meta["queue_changed"] = self.attacker.observe(
            plan.candidate, self._scored(plan.candidate, text, scores)
        )
        meta["success"] = scores.success
        if image is not None:
            meta["image"] = {**image, "delivered": _delivered_images(delivery)}
        latency = sum(c.latency_s for c in delivery.completions)
        attempt = base.model_copy(
            update={
                "messages": list(delivery.transcript),
                "response": delivery.response,
                "scores": scores.as_scores(),
                "timings": {"target_s": latency},
                "metadata": meta,
            }
        )
        self.store.record(attempt)
        return attempt

    def run(self, budget: int, reporter: ProgressReporter | None = None) -> None:
        errors_in_a_row = 0
        while self.queries < budget:
            plan = self.attacker.plan(self.next_step, budget - self.queries)
            attempt = self.execute(plan)
            self.queries += plan.queries
            self.next_step += 1
            if reporter is not None:
                for _ in range(plan.queries):
                    reporter.advance(attempt.item_id, attempt.error)
            errors_in_a_row = errors_in_a_row + 1 if attempt.error else 0
            if errors_in_a_row >= MAX_CONSECUTIVE_ERRORS:
                raise TargetKeepsFailingError(
                    f"{self.target.name} failed on {errors_in_a_row} attacks in a row ({attempt.error}); "
                    "run the same command again to continue"
                )


def _seed_scores(seeds: Sequence[Exemplar], scorer: AttackScorer) -> dict[str, ScoredExemplar]:
    """Seeds enter the queues unscored for effectiveness, with their toxicity and embedding."""
    return {
        s.key: ScoredExemplar(
            s, toxicity=scorer.prompt_toxicity(s.payload), embedding=scorer.embed(s.payload)
        )
        for s in seeds
    }


def load_seeds(seeds_file: str | Path | None) -> list[Exemplar]:
    return load_seed_file(seeds_file) if seeds_file is not None else load_builtin_seeds()


def run_redteam(
    target: str,
    *,
    strategy: str,
    budget: int,
    guard: str | None = None,
    seed: int = 0,
    seeds_file: str | Path | None = None,
    out_dir: str | Path | None = None,
    red_lm: str = "llamacpp:default",
    max_tokens: int = 128,
    red_max_tokens: int = 64,
    lm_tries: int = 2,
    categories: Sequence[str] | None = None,
    progress: bool = True,
    operators: TechniqueOperators | None = None,
) -> RedTeamResult:
    """Attack ``target`` (behind ``guard`` if given) with ``strategy`` until ``budget`` queries are spent."""
    if strategy not in ATTACKERS:
        raise RedTeamError(f"unknown strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")
    if budget < 1:
        raise RedTeamError(f"--budget must be at least 1, got {budget}")
    seeds = load_seeds(seeds_file)
    if categories is not None:
        unknown = sorted(set(categories) - {s.category for s in seeds})
        if unknown:
            raise RedTeamError(f"no seed exemplars for categor(ies) {', '.join(unknown)}")
        seeds = [s for s in seeds if s.category in set(categories)]
    target_string = f"guarded:{guard}@{target}" if guard else target
    run_config = {
        "kind": KIND,
        "strategy": strategy,
        "target": target_string,
        "seed": seed,
        "seeds": seeds_digest(seeds),
        "red_lm": red_lm if strategy in USES_RED_LM else None,
        "max_tokens": max_tokens,
        "red_max_tokens": red_max_tokens if strategy in USES_RED_LM else None,
        "lm_tries": lm_tries if strategy in USES_RED_LM else None,
    }
    digest = config_hash(run_config)
    run_id = f"redteam-{strategy}-{digest[:8]}"
    run_dir = Path(out_dir) if out_dir is not None else Path("raikit-runs") / run_id
    target_obj = get_target(target_string)
    image_reason = image_skip_reason(target_obj)
    operators = operators or TechniqueOperators(include_images=image_reason is None)
    red_obj = get_target(red_lm) if strategy in USES_RED_LM else None
    try:
        if operators.include_images and image_reason is not None:
            raise RedTeamError(f"the operators include image techniques, but {image_reason}")
        resources = getattr(getattr(target_obj, "guard", None), "resources", None)
        scorer = AttackScorer(
            resources if isinstance(resources, Resources) else None,
            harmful_anchors=[s.payload for s in seeds],
        )
        seed_scores = (
            {
                s.key: ScoredExemplar(
                    s, toxicity=scorer.prompt_toxicity(s.payload), embedding=scorer.embed(s.payload)
                )
                for s in seeds
            }
            if strategy.startswith("flirt-")
            else {}
        )
        attacker = ATTACKERS[strategy](
            seeds,
            operators,
            RedLM(red_obj, max_tokens=red_max_tokens) if red_obj is not None else None,
            scorer,
            seed,
            seed_scores,
            lm_tries,
        )
        config = GenerateConfig(max_tokens=max_tokens, seed=seed)
        with ResultsStore(run_dir) as store:
            store.init_run(run_id, kind=KIND, target=target_string, config=run_config, resume=True)
            runner = RedTeamRun(target_obj, attacker, scorer, store, config=config, config_hash=digest)
            runner.replay()
            reporter = ProgressReporter(budget, min(runner.queries, budget), progress, strategy)
            try:
                runner.run(budget, reporter)
            except BaseException:
                store.set_status("interrupted")
                raise
            finally:
                reporter.close()
            summary = summarize(store.attempts(), scorer.embed)
            summary.update(strategy=strategy, target=target_string, budget=budget, seed=seed)
            summary["attacker"] = attacker.describe()
            summary["image_attacks"] = (
                {"included": True, "delivered": _count_images(store.attempts())}
                if operators.include_images
                else {"included": False, "skipped": image_reason or "image techniques were not selected"}
            )
            store.set_summary(summary)
            store.set_status("completed")
    finally:
        target_obj.close()
        if red_obj is not None:
            red_obj.close()
    return RedTeamResult(
        run_id=run_id,
        run_dir=str(run_dir),
        strategy=strategy,
        target=target_string,
        budget=budget,
        summary=summary,
    )
