"""Benchmark data from the Hugging Face Hub (``--data hf`` / ``--data hf:REPO_ID``).

A benchmark that can read its public data from the Hub declares a :class:`HubSource`: the
dataset's repository, configuration, split (or data files), the columns it needs, and a function
that turns the dataset's rows into the records its folder loader produces. The benchmark then
builds its samples from those records exactly as it does from ``--data DIR``, so the two sources
give the same items.

``datasets`` is an optional dependency (extra ``raikit[hf]``), imported only here, inside
:func:`hub_records`. When the Hub cannot be reached the error names the dataset and points to
``--data DIR``; it is a :class:`~raikit.evals.task.DataNotFoundError` (a usage error, exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from raikit.evals.task import BenchmarkOptions, DataNotFoundError

Row = Mapping[str, Any]
RecordsT = TypeVar("RecordsT")
HUB_PREFIX = "hf"


class HubUnavailableError(DataNotFoundError):
    """The dataset could not be fetched from the Hugging Face Hub (offline, unknown, gated)."""


class HubFormatError(DataNotFoundError):
    """The fetched dataset lacks the columns the benchmark needs."""


@dataclass(frozen=True)
class HubSource(Generic[RecordsT]):
    """Where a benchmark's public data lives on the Hub and how its rows become records.

    ``to_records`` receives every row (a mapping of column name to value) and returns the records
    the benchmark's folder loader would produce from its files.
    """

    repo: str
    columns: tuple[str, ...]
    to_records: Callable[[Sequence[Row]], RecordsT]
    split: str = "train"
    config: str | None = None
    data_files: str | None = None
    revision: str | None = None

    def describe(self, repo: str | None = None) -> str:
        shown = repo or self.repo
        parts = [shown, *(p for p in (self.config, self.data_files) if p), f"split {self.split}"]
        return ", ".join(parts)


def parse_data_option(value: str | None) -> tuple[bool, str | None]:
    """``--data`` as (from_hub, hub_repo): ``hf`` -> (True, None), ``hf:ORG/NAME`` -> (True, repo)."""
    if value is None:
        return False, None
    head, sep, repo = value.partition(":")
    if head != HUB_PREFIX:
        return False, None
    if sep and not repo.strip():
        raise DataNotFoundError(
            "--data hf:REPO_ID needs a repository id after 'hf:', e.g. hf:walledai/XSTest"
        )
    return True, repo.strip() or None


def hub_records(options: BenchmarkOptions, source: HubSource[RecordsT], benchmark: str) -> RecordsT:
    """The benchmark's records fetched from the Hub (``options.hub_repo`` replaces the repo id)."""
    repo = options.hub_repo or source.repo
    where = source.describe(repo)
    try:
        import datasets  # type: ignore[import-untyped]
        from datasets.exceptions import DatasetsError  # type: ignore[import-untyped]
    except ImportError as exc:
        raise HubUnavailableError(
            f"{benchmark}: --data hf needs the 'datasets' package (pip install 'raikit[hf]'), "
            "or pass --data DIR with the benchmark's public files"
        ) from exc
    try:
        loaded = datasets.load_dataset(
            repo,
            source.config,
            split=source.split,
            data_files=source.data_files,
            revision=source.revision,
        )
    except (OSError, ValueError, RuntimeError, DatasetsError) as exc:
        # OSError: no network, unknown or gated repository (ConnectionError, FileNotFoundError,
        # HTTP errors); ValueError: unknown config or split; RuntimeError: script-only datasets;
        # DatasetsError: files that cannot be built into one table (DatasetGenerationError).
        reason = " ".join(str(exc).split())[:200]
        raise HubUnavailableError(
            f"{benchmark}: cannot load the Hugging Face dataset {where} ({type(exc).__name__}: {reason}); "
            "pass --data DIR with the benchmark's public files instead"
        ) from exc
    names = set(getattr(loaded, "column_names", None) or ())
    missing = [c for c in source.columns if c not in names]
    if missing:
        raise HubFormatError(
            f"{benchmark}: the Hugging Face dataset {where} lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(sorted(names)) or 'none'})"
        )
    rows: list[Row] = [dict(row) for row in loaded]
    try:
        return source.to_records(rows)
    except (KeyError, TypeError, ValueError) as exc:
        raise HubFormatError(
            f"{benchmark}: unexpected row in the Hugging Face dataset {where}: {exc}"
        ) from exc
