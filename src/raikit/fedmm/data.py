"""Multimodal datasets: the container, the loader interface, the synthetic generator, partitioning.

A dataset is a set of named modalities (each a float32 matrix of per-sample feature vectors) and
integer labels, with a fixed train/test split. Datasets are built by *loaders*: callables marked
with :func:`fedmm_dataset` and found through the ``raikit.fedmm_datasets`` entry-point group (the
built-in ``synthetic`` and ``av-digits`` register there too), or named as ``package.module:function``.
Simulated clients run in other processes (Ray actors), so a dataset travels as a
:class:`DatasetRef` (name and options) and each process loads it once (:func:`load_dataset_cached`).
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from raikit.core.registry import PluginRegistry
from raikit.fedmm.errors import FedMMConfigError, FedMMDataError

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int64]

ENTRY_POINT_GROUP = "raikit.fedmm_datasets"
_INFO_ATTR = "__raikit_fedmm_dataset__"


@dataclass(frozen=True)
class MultimodalSplit:
    """Samples of one split: ``features[modality]`` has one row per sample, aligned with ``labels``."""

    features: dict[str, FloatArray]
    labels: IntArray

    def __post_init__(self) -> None:
        for name, matrix in self.features.items():
            if matrix.ndim != 2 or matrix.shape[0] != self.labels.shape[0]:
                raise FedMMDataError(
                    f"modality {name!r} has shape {matrix.shape}; expected ({self.labels.shape[0]}, dim)"
                )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, indices: IntArray) -> MultimodalSplit:
        return MultimodalSplit({k: v[indices] for k, v in self.features.items()}, self.labels[indices])


@dataclass(frozen=True)
class MultimodalDataset:
    """A multimodal classification dataset with a train and a test split."""

    name: str
    train: MultimodalSplit
    test: MultimodalSplit
    n_classes: int

    @property
    def modalities(self) -> tuple[str, ...]:
        return tuple(self.train.features)

    def input_dims(self) -> dict[str, int]:
        return {name: int(matrix.shape[1]) for name, matrix in self.train.features.items()}

    def validate(self) -> MultimodalDataset:
        """Check that both splits agree and labels lie in ``[0, n_classes)``; return ``self``."""
        if len(self.train) == 0 or len(self.test) == 0:
            raise FedMMDataError(f"dataset {self.name!r} has an empty train or test split")
        if self.train.features.keys() != self.test.features.keys():
            raise FedMMDataError(f"dataset {self.name!r}: train and test splits have different modalities")
        for name in self.modalities:
            if self.train.features[name].shape[1] != self.test.features[name].shape[1]:
                raise FedMMDataError(f"dataset {self.name!r}: modality {name!r} differs between splits")
        for split in (self.train, self.test):
            if split.labels.min() < 0 or split.labels.max() >= self.n_classes:
                raise FedMMDataError(f"dataset {self.name!r} has labels outside [0, {self.n_classes})")
        return self


class DatasetOptions(BaseModel):
    """What every dataset loader accepts."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path | None = None
    cache_dir: Path | None = None
    seed: int = 0


class DatasetLoader(Protocol):
    """The interface a user dataset implements: build a :class:`MultimodalDataset` from options."""

    def __call__(self, options: DatasetOptions) -> MultimodalDataset: ...


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    description: str
    loader: DatasetLoader


class UnknownDatasetError(FedMMConfigError):
    """A dataset name that no loader provides."""


def fedmm_dataset(name: str, *, description: str) -> Callable[[DatasetLoader], DatasetLoader]:
    """Mark ``loader`` as the builder of dataset ``name`` (register it under ``raikit.fedmm_datasets``)."""

    def mark(loader: DatasetLoader) -> DatasetLoader:
        setattr(loader, _INFO_ATTR, DatasetInfo(name, description, loader))
        return loader

    return mark


class DatasetRegistry(PluginRegistry[DatasetInfo]):
    def __init__(self, *, use_entry_points: bool = True) -> None:
        super().__init__(
            group=ENTRY_POINT_GROUP,
            marker=_INFO_ATTR,
            info_type=DatasetInfo,
            kind="dataset",
            unknown=UnknownDatasetError,
            use_entry_points=use_entry_points,
        )


@functools.cache
def default_dataset_registry() -> DatasetRegistry:
    return DatasetRegistry()


class DatasetRef(BaseModel):
    """A dataset by name: a registered name or ``package.module:function`` naming a loader."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    options: DatasetOptions = DatasetOptions()


def _import_loader(spec: str) -> DatasetLoader:
    module_name, _, attr = spec.partition(":")
    try:
        loader: DatasetLoader = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownDatasetError(f"cannot import dataset loader {spec!r}: {exc}") from exc
    return loader


def load_dataset(ref: DatasetRef) -> MultimodalDataset:
    """Build the dataset ``ref`` names and check it."""
    registered = ":" not in ref.name
    loader = default_dataset_registry().info(ref.name).loader if registered else _import_loader(ref.name)
    dataset = loader(ref.options)
    if not isinstance(dataset, MultimodalDataset):
        raise FedMMDataError(f"dataset loader {ref.name!r} returned {type(dataset).__name__}, not a dataset")
    return dataset.validate()


@functools.lru_cache(maxsize=4)
def _load_by_json(ref_json: str) -> MultimodalDataset:
    return load_dataset(DatasetRef.model_validate_json(ref_json))


def load_dataset_cached(ref: DatasetRef) -> MultimodalDataset:
    """:func:`load_dataset`, memoised per process: a Flower client process loads each dataset once."""
    return _load_by_json(json.dumps(ref.model_dump(mode="json"), sort_keys=True))


@fedmm_dataset(
    "synthetic", description="Seeded two-modality Gaussian data; each modality sees half the classes"
)
def synthetic_dataset(
    options: DatasetOptions,
    *,
    n_train: int = 600,
    n_test: int = 300,
    n_classes: int = 4,
    dims: tuple[int, int] = (12, 8),
) -> MultimodalDataset:
    """Two modalities that are each informative about *different* classes, so fusing them helps.

    Modality ``a`` separates classes in pairs {0,1} vs {2,3} ...; modality ``b`` separates the classes
    within each pair. A single modality alone is therefore limited, fused they are nearly separable.
    """
    rng = np.random.default_rng(options.seed)
    centres_a = rng.normal(scale=2.0, size=(n_classes // 2 + n_classes % 2, dims[0]))
    centres_b = rng.normal(scale=2.0, size=(2, dims[1]))

    def split(n: int) -> MultimodalSplit:
        labels = rng.integers(0, n_classes, size=n).astype(np.int64)
        a = centres_a[labels // 2] + rng.normal(size=(n, dims[0]))
        b = centres_b[labels % 2] + rng.normal(size=(n, dims[1]))
        return MultimodalSplit({"a": a.astype(np.float32), "b": b.astype(np.float32)}, labels)

    return MultimodalDataset("synthetic", split(n_train), split(n_test), n_classes)


def dirichlet_partition(
    labels: IntArray, n_clients: int, alpha: float, rng: np.random.Generator, *, min_size: int = 2
) -> list[IntArray]:
    """Split sample indices over ``n_clients`` with per-class shares drawn from Dirichlet(``alpha``).

    Small ``alpha`` gives each client few classes (strongly non-IID); large ``alpha`` tends to IID.
    Draws are repeated (up to 100 times) until every client holds at least ``min_size`` samples.
    """
    if n_clients < 1:
        raise FedMMConfigError(f"need at least one client, got {n_clients}")
    if alpha <= 0:
        raise FedMMConfigError(f"Dirichlet alpha must be > 0, got {alpha}")
    if n_clients * min_size > len(labels):
        raise FedMMConfigError(
            f"{len(labels)} samples cannot give {n_clients} clients {min_size} samples each"
        )
    classes = np.unique(labels)
    for _ in range(100):
        shards: list[list[int]] = [[] for _ in range(n_clients)]
        for cls in classes:
            idx = np.flatnonzero(labels == cls)
            rng.shuffle(idx)
            shares = rng.dirichlet(np.full(n_clients, alpha))
            cuts = (np.cumsum(shares)[:-1] * len(idx)).astype(int)
            for client, part in enumerate(np.split(idx, cuts)):
                shards[client].extend(part.tolist())
        if min(len(s) for s in shards) >= min_size:
            return [np.sort(np.asarray(s, dtype=np.int64)) for s in shards]
    raise FedMMConfigError(
        f"Dirichlet alpha={alpha} left a client with fewer than {min_size} samples in 100 draws; "
        "raise alpha or use fewer clients"
    )
