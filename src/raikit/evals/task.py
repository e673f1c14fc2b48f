"""Task = dataset + solver + scorers (+ a summary), and the benchmark registry.

A benchmark is a factory ``(BenchmarkOptions) -> Task`` marked with :func:`benchmark`, found
through the ``raikit.benchmarks`` entry-point group like targets and scanners. What to send
(the solver) is kept apart from how to judge it (the scorers), so any scorer can be reused on
any benchmark and results can be re-scored from the store.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.errors import RaikitError
from raikit.core.registry import PluginRegistry
from raikit.core.types import Attempt, Completion, Message, Score
from raikit.models import GenerateConfig, Target

ENTRY_POINT_GROUP = "raikit.benchmarks"
_INFO_ATTR = "__raikit_benchmark__"


class UnknownBenchmarkError(RaikitError):
    """No benchmark of that name is installed."""


class DataNotFoundError(RaikitError):
    """A benchmark's public data is not at the given path."""


class EvalSample(BaseModel):
    """One item of a task: the conversation to send and what the scorers need to know."""

    model_config = ConfigDict(frozen=True)

    id: str
    messages: tuple[Message, ...]
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def prompt(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user":
                return message.content
        return self.messages[-1].content if self.messages else ""


class SolverOutput(BaseModel):
    completion: Completion
    messages: list[Message]
    transformed_prompt: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Solver(Protocol):
    def __call__(self, target: Target, sample: EvalSample, config: GenerateConfig) -> SolverOutput: ...


class Scorer(Protocol):
    def __call__(self, sample: EvalSample, output: SolverOutput) -> dict[str, Score]: ...


Summariser = Callable[[Sequence[EvalSample], Sequence[Attempt]], dict[str, Any]]


@dataclass(frozen=True)
class Task:
    name: str
    version: int
    samples: tuple[EvalSample, ...]
    solver: Solver
    scorers: tuple[Scorer, ...]
    summarise: Summariser
    dimensions: tuple[str, ...]
    config: GenerateConfig = field(default_factory=GenerateConfig)
    description: str = ""
    closers: tuple[Callable[[], None], ...] = ()
    """Release what the task holds open (an LLM judge's target); see :meth:`close`."""

    def close(self) -> None:
        """Close the judge targets the task opened; the task must not be scored afterwards."""
        for close in self.closers:
            close()


JudgeEscalation = Literal["uncertain", "always"]


class BenchmarkOptions(BaseModel):
    """What every benchmark factory accepts.

    Data: ``data_dir`` (the folder with the public files), or ``from_hub`` to fetch the
    benchmark's declared Hugging Face dataset (``hub_repo`` replaces its repository id).
    Judging: ``judge_target`` (any target string) puts an LLM judge on top of the fast refusal
    classifier in every benchmark that judges refusal; ``judge_escalate`` says whether the LLM
    decides only the classifier's uncertain band (default) or every answer.
    """

    model_config = ConfigDict(frozen=True)

    data_dir: Path | None = None
    limit: int | None = Field(default=None, ge=1)
    quick: bool = False
    seed: int = 0
    split: str = "test"
    from_hub: bool = False
    hub_repo: str | None = None
    judge_target: str | None = None
    judge_escalate: JudgeEscalation = "uncertain"

    def identity(self) -> dict[str, Any]:
        """What a run's config hash depends on: not where the data folder is, and the judge and
        Hugging Face fields only when set (so runs made before they existed still resume)."""
        found = self.model_dump(mode="json", exclude={"data_dir"})
        if not self.from_hub:
            found.pop("from_hub")
            found.pop("hub_repo")
        if self.judge_target is None:
            found.pop("judge_target")
            found.pop("judge_escalate")
        return found


class BenchmarkFactory(Protocol):
    def __call__(self, options: BenchmarkOptions) -> Task: ...


@dataclass(frozen=True)
class BenchmarkInfo:
    name: str
    description: str
    dimensions: tuple[str, ...]
    needs_data: bool
    factory: BenchmarkFactory
    hub: str | None = None
    """The Hugging Face dataset ``--data hf`` fetches (None: the data only comes from a folder)."""


def benchmark(
    name: str,
    *,
    description: str,
    dimensions: tuple[str, ...],
    needs_data: bool = False,
    hub: str | None = None,
) -> Callable[[BenchmarkFactory], BenchmarkFactory]:
    """Mark ``factory`` as the builder of benchmark ``name`` (``hub``: its Hugging Face dataset)."""

    def mark(factory: BenchmarkFactory) -> BenchmarkFactory:
        info = BenchmarkInfo(name, description, dimensions, needs_data, factory, hub)
        setattr(factory, _INFO_ATTR, info)
        return factory

    return mark


class BenchmarkRegistry(PluginRegistry[BenchmarkInfo]):
    def __init__(self, *, use_entry_points: bool = True) -> None:
        super().__init__(
            group=ENTRY_POINT_GROUP,
            marker=_INFO_ATTR,
            info_type=BenchmarkInfo,
            kind="benchmark",
            unknown=UnknownBenchmarkError,
            use_entry_points=use_entry_points,
        )

    def create(self, name: str, options: BenchmarkOptions) -> Task:
        return self.info(name).factory(options)


@functools.cache
def default_benchmark_registry() -> BenchmarkRegistry:
    return BenchmarkRegistry()


def data_path(options: BenchmarkOptions, *parts: str) -> Path:
    """A file or folder under the benchmark data root, with a clear error when it is missing."""
    if options.from_hub:
        raise DataNotFoundError(
            "this benchmark has no Hugging Face copy that raikit can load; pass --data DIR "
            f"(a folder holding {'/'.join(parts)})"
        )
    if options.data_dir is None:
        raise DataNotFoundError(
            f"this benchmark needs its public data: pass --data DIR (a folder holding {'/'.join(parts)})"
        )
    path = options.data_dir.joinpath(*parts)
    if not path.exists():
        raise DataNotFoundError(f"benchmark data not found: {path}")
    return path
