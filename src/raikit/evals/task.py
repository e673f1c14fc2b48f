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
from typing import Any, Protocol

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


class BenchmarkOptions(BaseModel):
    """What every benchmark factory accepts."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path | None = None
    limit: int | None = Field(default=None, ge=1)
    quick: bool = False
    seed: int = 0
    split: str = "test"


class BenchmarkFactory(Protocol):
    def __call__(self, options: BenchmarkOptions) -> Task: ...


@dataclass(frozen=True)
class BenchmarkInfo:
    name: str
    description: str
    dimensions: tuple[str, ...]
    needs_data: bool
    factory: BenchmarkFactory


def benchmark(
    name: str, *, description: str, dimensions: tuple[str, ...], needs_data: bool = False
) -> Callable[[BenchmarkFactory], BenchmarkFactory]:
    """Mark ``factory`` as the builder of benchmark ``name``."""

    def mark(factory: BenchmarkFactory) -> BenchmarkFactory:
        info = BenchmarkInfo(name, description, dimensions, needs_data, factory)
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
    if options.data_dir is None:
        raise DataNotFoundError(
            f"this benchmark needs its public data: pass --data DIR (a folder holding {'/'.join(parts)})"
        )
    path = options.data_dir.joinpath(*parts)
    if not path.exists():
        raise DataNotFoundError(f"benchmark data not found: {path}")
    return path
