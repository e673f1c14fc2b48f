"""Where samples run: in this process (threads) or on a Ray cluster (actors).

Executors receive a :class:`WorkSpec` made of strings and plain settings, not live objects, so
a Ray worker rebuilds the same task and target on its side. Each finished attempt comes back
to the caller, which records it in the results store at once (resume works the same way for
both executors).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from raikit.core.errors import RaikitError
from raikit.core.types import Attempt, Score
from raikit.evals.task import BenchmarkOptions, EvalSample, Task, default_benchmark_registry
from raikit.models import GenerateConfig, Target, TargetError, get_target

OnAttempt = Callable[[Attempt], None]


class WorkSpec(BaseModel):
    """Everything needed to rebuild a run anywhere: benchmark, options, target string, guard."""

    model_config = ConfigDict(frozen=True)

    benchmark: str
    options: BenchmarkOptions
    target: str
    guard: str | None = None
    config: GenerateConfig

    def target_string(self) -> str:
        return f"guarded:{self.guard}@{self.target}" if self.guard else self.target

    def build_task(self) -> Task:
        return default_benchmark_registry().create(self.benchmark, self.options)


def run_sample(
    task: Task, target: Target, sample: EvalSample, config: GenerateConfig, config_hash: str
) -> Attempt:
    """Solve and score one sample; target errors become a failed attempt, never an exception."""
    attempt = Attempt(
        item_id=sample.id,
        prompt=sample.prompt,
        messages=list(sample.messages),
        target=target.name,
        config_hash=config_hash,
        metadata=dict(sample.metadata),
    )
    start = time.perf_counter()
    try:
        output = task.solver(target, sample, config)
    except TargetError as exc:
        attempt.error = str(exc)
        attempt.timings = {"total_s": time.perf_counter() - start}
        return attempt
    attempt.response = output.completion.text
    attempt.transformed_prompt = output.transformed_prompt
    attempt.messages = output.messages
    attempt.usage = output.completion.usage
    scores: dict[str, Score] = {}
    for scorer in task.scorers:
        scores.update(scorer(sample, output))
    attempt.scores = scores
    if output.extra:
        attempt.metadata = {**attempt.metadata, **output.extra}
    attempt.timings = {"latency_s": output.completion.latency_s, "total_s": time.perf_counter() - start}
    return attempt


class Executor(Protocol):
    def run(
        self,
        spec: WorkSpec,
        task: Task,
        samples: Sequence[EvalSample],
        config_hash: str,
        on_attempt: OnAttempt,
    ) -> None: ...


class LocalExecutor:
    """Threads in this process, sharing one target (which caps its own concurrency)."""

    def __init__(self, concurrency: int = 1) -> None:
        self.concurrency = concurrency

    def run(
        self,
        spec: WorkSpec,
        task: Task,
        samples: Sequence[EvalSample],
        config_hash: str,
        on_attempt: OnAttempt,
    ) -> None:
        target = get_target(spec.target_string())
        try:
            run_on_threads(target, spec, task, samples, config_hash, on_attempt, self.concurrency)
        finally:
            target.close()


def run_on_threads(
    target: Target,
    spec: WorkSpec,
    task: Task,
    samples: Sequence[EvalSample],
    config_hash: str,
    on_attempt: OnAttempt,
    concurrency: int,
) -> None:
    """Answer ``samples`` on up to ``concurrency`` threads sharing ``target``, reporting in sample order."""
    limit = min(concurrency, getattr(target, "max_concurrency", None) or concurrency)
    pool = ThreadPoolExecutor(max_workers=max(1, limit))
    try:
        futures = [pool.submit(run_sample, task, target, s, spec.config, config_hash) for s in samples]
        for future in futures:
            on_attempt(future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class RayExecutor:
    """One actor per worker slot, each holding its own target; results stream back as they finish."""

    def __init__(self, workers: int = 2, address: str | None = None) -> None:
        self.workers = workers
        self.address = address

    def run(
        self,
        spec: WorkSpec,
        task: Task,
        samples: Sequence[EvalSample],
        config_hash: str,
        on_attempt: OnAttempt,
    ) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RaikitError("the ray executor needs Ray: pip install 'raikit[scale]'") from exc
        if not ray.is_initialized():
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
            )
        actor_class: Any = ray.remote(num_cpus=1)(_Worker)
        actors: list[Any] = [
            actor_class.remote(spec.model_dump(mode="json"), config_hash) for _ in range(self.workers)
        ]
        pending: dict[Any, Any] = {}
        queue = [s.id for s in samples]
        idle = list(actors)
        try:
            while queue or pending:
                while queue and idle:
                    actor = idle.pop()
                    pending[actor.run.remote(queue.pop(0))] = actor
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    idle.append(pending.pop(ref))
                    on_attempt(Attempt.model_validate(ray.get(ref)))
        finally:
            for actor in actors:
                ray.kill(actor)


class _Worker:
    """A Ray actor: rebuilds the task and the target from the spec once, then answers samples."""

    def __init__(self, spec: dict[str, Any], config_hash: str) -> None:
        self.spec = WorkSpec.model_validate(spec)
        self.task = self.spec.build_task()
        self.samples = {s.id: s for s in self.task.samples}
        self.target = get_target(self.spec.target_string())
        self.config_hash = config_hash

    def run(self, sample_id: str) -> dict[str, Any]:
        attempt = run_sample(
            self.task, self.target, self.samples[sample_id], self.spec.config, self.config_hash
        )
        return attempt.model_dump(mode="json")


def make_executor(
    name: str, *, concurrency: int = 1, workers: int = 2, address: str | None = None
) -> Executor:
    if name == "local":
        return LocalExecutor(concurrency)
    if name == "ray":
        return RayExecutor(workers=workers, address=address)
    raise RaikitError(f"unknown executor {name!r}; valid executors: local, ray")
