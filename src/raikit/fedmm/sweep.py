"""A resumable grid of federated experiments: strategies x corruption types x rates x seeds, plus fusions.

The grid (see :func:`expand`):

- strategy study: every strategy with the main fusion (``fusions[0]``), at every rate of every
  corruption type, for every seed;
- fusion study: every other fusion with the first strategy, on the same corruptions, rates and seeds;
- modality baselines (``baselines``): each single modality alone, clean, with the first strategy.

A clean run (rate 0) is the same experiment for every corruption type and runs once. Results go to
the SQLite store of :mod:`raikit.core.store` in the output folder, one committed row per experiment
as soon as it finishes, so a killed sweep resumes (``resume=True``) with the experiments it lacks.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from raikit.core.store import ResultsStore
from raikit.core.types import Attempt, Score
from raikit.fedmm.errors import FedMMConfigError
from raikit.fedmm.sim import OnRound, SimulationSettings, run_experiments
from raikit.fedmm.spec import ExperimentResult, ExperimentSpec, FusionName, StrategyName

CorruptionType = Literal["missing-modality", "missing-labels", "label-noise", "combined"]
CORRUPTION_TYPES: tuple[str, ...] = get_args(CorruptionType)
_RATE_FIELDS: dict[str, tuple[str, ...]] = {
    "missing-modality": ("missing_modality",),
    "missing-labels": ("missing_labels",),
    "label-noise": ("label_noise",),
    "combined": ("missing_modality", "missing_labels", "label_noise"),
}


class SweepConfig(BaseModel):
    """The grid. ``base`` fixes everything else (dataset, clients, rounds, corruption modes, ...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: ExperimentSpec
    strategies: tuple[StrategyName, ...] = ("fedavg", "fedprox", "fedopt")
    fusions: tuple[FusionName, ...] = ("attention",)
    corruptions: tuple[CorruptionType, ...] = CORRUPTION_TYPES  # type: ignore[assignment]
    rates: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8)
    seeds: tuple[int, ...] = (0, 1, 2)
    baselines: bool = True

    @field_validator("strategies", "fusions", "corruptions", "seeds", "rates")
    @classmethod
    def _non_empty_unique(cls, value: tuple[Any, ...]) -> tuple[Any, ...]:
        if not value or len(set(value)) != len(value):
            raise ValueError("must be a non-empty list without repeats")
        return value

    @field_validator("rates")
    @classmethod
    def _rates_in_range(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 <= r <= 1.0 for r in value):
            raise ValueError("rates must lie in [0, 1]")
        return tuple(sorted(value))


def make_sweep_config(**settings: Any) -> SweepConfig:
    """Build a sweep config, turning validation failures into one-line :class:`FedMMConfigError` messages."""
    try:
        return SweepConfig.model_validate(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise FedMMConfigError(
            f"invalid sweep {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        ) from None


@dataclass(frozen=True)
class SweepItem:
    """One experiment of the grid, with where it sits: which study, corruption type and rate."""

    item_id: str
    study: Literal["strategy", "fusion", "baseline"]
    corruption: str  # a corruption type, or "clean" for a rate-0 run shared by all types
    rate: float
    spec: ExperimentSpec


def _with_rate(base: ExperimentSpec, corruption: str, rate: float, **changes: Any) -> ExperimentSpec:
    rates = {name: rate for name in _RATE_FIELDS.get(corruption, ())}
    return base.model_copy(update={**changes, "corruption": base.corruption.model_copy(update=rates)})


def expand(config: SweepConfig) -> list[SweepItem]:
    """The experiments of ``config``, each once, in a stable order."""
    items: dict[str, SweepItem] = {}

    def add(
        study: Literal["strategy", "fusion", "baseline"], corruption: str, rate: float, spec: ExperimentSpec
    ) -> None:
        label = "clean" if rate == 0 else corruption
        modalities = "+".join(spec.modalities or ("all",))
        item_id = f"{study}/{spec.strategy}/{spec.fusion}/{modalities}/{label}/{rate:g}/seed{spec.seed}"
        items.setdefault(item_id, SweepItem(item_id, study, label, rate, spec))

    base = config.base.model_copy(update={"modalities": None})
    for seed in config.seeds:
        for corruption in config.corruptions:
            for rate in config.rates:
                for strategy in config.strategies:
                    spec = _with_rate(
                        base, corruption, rate, strategy=strategy, fusion=config.fusions[0], seed=seed
                    )
                    add("strategy", corruption, rate, spec)
                for fusion in config.fusions[1:]:
                    spec = _with_rate(
                        base, corruption, rate, strategy=config.strategies[0], fusion=fusion, seed=seed
                    )
                    add("fusion", corruption, rate, spec)
    return list(items.values())


def baseline_items(config: SweepConfig, modalities: tuple[str, ...]) -> list[SweepItem]:
    """Clean single-modality runs (one per modality and seed) for the fusion-beats-modality check."""
    if not config.baselines or len(modalities) < 2:
        return []
    out = []
    for seed in config.seeds:
        for modality in modalities:
            spec = _with_rate(
                config.base,
                "clean",
                0.0,
                strategy=config.strategies[0],
                fusion=config.fusions[0],
                modalities=(modality,),
                seed=seed,
            )
            out.append(
                SweepItem(f"baseline/{spec.strategy}/{modality}/seed{seed}", "baseline", "clean", 0.0, spec)
            )
    return out


def _attempt(item: SweepItem, result: ExperimentResult, config_hash: str) -> Attempt:
    return Attempt(
        item_id=item.item_id,
        prompt=(
            f"{item.study} study: {item.spec.strategy}, {item.spec.fusion} fusion, "
            f"{item.corruption} at {item.rate:g}"
        ),
        response=f"accuracy {result.accuracy:.4f}",
        scores={"accuracy": Score(name="accuracy", value=result.accuracy)},
        timings={"total_s": result.wall_s},
        target=f"flower:{item.spec.dataset.name}",
        config_hash=config_hash,
        metadata={
            "study": item.study,
            "corruption": item.corruption,
            "rate": item.rate,
            "result": result.model_dump(mode="json"),
        },
    )


@contextlib.contextmanager
def _open_store(out_dir: str | Path) -> Iterator[ResultsStore]:
    """The folder's results store, held exclusively: two processes resuming one folder would both
    run the missing experiments and the second to finish would be refused by the store."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".fedmm.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FedMMConfigError(
                f"another raikit fedmm process is writing {folder}; "
                "wait for it to finish or choose another folder"
            ) from None
        with ResultsStore(folder) as store:
            yield store


@dataclass(frozen=True)
class SweepOutcome:
    """Everything recorded in the output folder (including runs of earlier, interrupted sessions)."""

    config: SweepConfig
    items: list[SweepItem]
    results: dict[str, ExperimentResult]
    wall_s: float  # this session's wall time
    ran_now: int


OnItem = Callable[[SweepItem, ExperimentResult], None]


def run_sweep(
    config: SweepConfig,
    out_dir: str | Path,
    *,
    settings: SimulationSettings | None = None,
    resume: bool = False,
    kind: str = "fedmm-sweep",
    on_start: Callable[[int, int], None] | None = None,
    on_item: OnItem | None = None,
    on_round: OnRound | None = None,
) -> SweepOutcome:
    """Run the experiments of ``config`` missing from ``out_dir``'s store and return all results.

    ``on_start(total, already_done)`` is called once the grid is known, ``on_item`` after each
    experiment is recorded, ``on_round`` after each round (progress display).
    """
    from raikit.fedmm.training import prepare_cached

    start = time.perf_counter()
    modalities = prepare_cached(config.base).dataset.modalities  # also fails early on bad data
    drops_modality = config.base.corruption.missing_modality > 0 or "missing-modality" in config.corruptions
    if drops_modality and len(modalities) < 2:
        raise FedMMConfigError("missing-modality corruption needs a dataset with at least two modalities")
    items = expand(config) + baseline_items(config, modalities)
    by_id = {item.item_id: item for item in items}
    with _open_store(out_dir) as store:
        info = store.init_run(
            uuid.uuid4().hex[:12],
            kind=kind,
            target=f"flower:{config.base.dataset.name}",
            config=config.model_dump(mode="json"),
            resume=resume,
        )
        done = store.completed_ids() & by_id.keys()
        todo = [item for item in items if item.item_id not in done]
        if on_start is not None:
            on_start(len(items), len(done))
        pending = {item.spec: item for item in todo}

        def record(result: ExperimentResult) -> None:
            item = pending.pop(result.spec)
            store.record(_attempt(item, result, info.config_hash))
            if on_item is not None:
                on_item(item, result)

        try:
            run_experiments([item.spec for item in todo], settings, on_result=record, on_round=on_round)
        except KeyboardInterrupt:
            store.set_status("interrupted")
            raise
        except Exception:
            store.set_status("failed")
            raise
        results = {
            a.item_id: ExperimentResult.model_validate(a.metadata["result"])
            for a in store.attempts(include_errors=False)
            if a.item_id in by_id
        }
        store.set_status("completed")
    return SweepOutcome(config, items, results, time.perf_counter() - start, len(todo))


def run_single(
    spec: ExperimentSpec,
    out_dir: str | Path,
    *,
    settings: SimulationSettings | None = None,
    resume: bool = False,
    on_round: OnRound | None = None,
) -> tuple[SweepItem, ExperimentResult]:
    """Run one experiment into ``out_dir``'s store; with ``resume``, a finished run is not repeated."""
    c = spec.corruption
    item = SweepItem(
        f"run/{spec.strategy}/{spec.fusion}/mm{c.missing_modality:g}/ml{c.missing_labels:g}/ln{c.label_noise:g}/seed{spec.seed}",
        "strategy",
        "combined" if c.missing_modality or c.missing_labels or c.label_noise else "clean",
        max(c.missing_modality, c.missing_labels, c.label_noise),
        spec,
    )
    from raikit.fedmm.training import prepare_cached

    prepare_cached(spec)  # bad data or settings fail here, before the output folder is touched
    with _open_store(out_dir) as store:
        info = store.init_run(
            uuid.uuid4().hex[:12],
            kind="fedmm-run",
            target=f"flower:{spec.dataset.name}",
            config=spec.model_dump(mode="json"),
            resume=resume,
        )
        previous = store.get(item.item_id)
        if previous is not None and previous.error is None:
            return item, ExperimentResult.model_validate(previous.metadata["result"])
        try:
            (result,) = run_experiments([spec], settings, on_round=on_round)
        except KeyboardInterrupt:
            store.set_status("interrupted")
            raise
        except Exception:
            store.set_status("failed")
            raise
        store.record(_attempt(item, result, info.config_hash))
        store.set_status("completed")
    return item, result
