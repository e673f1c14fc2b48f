"""Data corruptions injected into each client's training data: missing modalities, missing and wrong labels.

Every corruption is applied per client at its own rate, alone or combined, from a generator seeded by
the experiment seed and the client id, so a client process and the server derive the same data.

- missing modality, ``sample`` mode: each sample independently loses one of its modalities (chosen
  uniformly) with probability ``rate``; ``client`` mode: ``round(rate * n_clients)`` clients lose one
  modality (chosen uniformly per client) for all their samples.
- missing labels: each sample loses its label with probability ``rate``; unlabelled samples are
  dropped from the supervised loss, or pseudo-labelled by the global model when ``semi_supervised``.
- label noise: each label is replaced with probability ``rate``; ``uniform`` noise draws another class
  uniformly, ``class`` noise maps class ``c`` to the confusable class ``(c + 1) mod K`` (a fixed
  class-dependent transition, the asymmetric noise of Patrini et al.).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from raikit.fedmm.data import IntArray, MultimodalSplit

BoolArray = NDArray[np.bool_]
MissingModalityMode = Literal["sample", "client"]
NoiseType = Literal["uniform", "class"]

Rate = Field(default=0.0, ge=0.0, le=1.0)


class CorruptionConfig(BaseModel):
    """Rates in [0, 1] of each corruption, with how each is applied."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    missing_modality: float = Rate
    missing_modality_mode: MissingModalityMode = "sample"
    missing_labels: float = Rate
    semi_supervised: bool = False
    label_noise: float = Rate
    noise_type: NoiseType = "uniform"


@dataclass(frozen=True)
class ClientData:
    """One client's training data after corruption.

    ``modality_mask[i, m]`` says whether sample ``i`` has modality ``m`` (features of a missing modality
    are zeroed); ``labels`` hold the possibly noisy labels and ``label_mask`` which of them are known.
    """

    split: MultimodalSplit
    modality_mask: BoolArray
    labels: IntArray
    label_mask: BoolArray
    stats: dict[str, int]


def _drop_modalities(
    n: int,
    n_modalities: int,
    rate: float,
    mode: MissingModalityMode,
    client_drops: bool,
    rng: np.random.Generator,
) -> BoolArray:
    mask = np.ones((n, n_modalities), dtype=bool)
    if n_modalities < 2:
        return mask
    if mode == "client":
        if client_drops:
            mask[:, rng.integers(n_modalities)] = False
        return mask
    hit = np.flatnonzero(rng.random(n) < rate)
    mask[hit, rng.integers(n_modalities, size=hit.size)] = False
    return mask


def _noisy_labels(
    labels: IntArray, rate: float, noise_type: NoiseType, n_classes: int, rng: np.random.Generator
) -> IntArray:
    noisy = labels.copy()
    hit = rng.random(labels.size) < rate
    if noise_type == "class":
        noisy[hit] = (labels[hit] + 1) % n_classes
    else:  # another class, uniformly: shift by 1..K-1
        noisy[hit] = (labels[hit] + rng.integers(1, n_classes, size=int(hit.sum()))) % n_classes
    return noisy


def clients_missing_a_modality(n_clients: int, rate: float, rng: np.random.Generator) -> set[int]:
    """In ``client`` mode, which clients lose a modality: ``round(rate * n_clients)`` of them."""
    return set(rng.permutation(n_clients)[: round(rate * n_clients)].tolist())


def corrupt_client(
    split: MultimodalSplit,
    config: CorruptionConfig,
    *,
    n_classes: int,
    client_id: int,
    client_drops_modality: bool,
    seed: int,
) -> ClientData:
    """Apply ``config`` to one client's clean ``split`` (deterministic in ``seed`` and ``client_id``)."""
    rng = np.random.default_rng([seed, client_id, 0xC0])
    n = len(split)
    names = list(split.features)
    mask = _drop_modalities(
        n, len(names), config.missing_modality, config.missing_modality_mode, client_drops_modality, rng
    )
    features = {
        name: np.where(mask[:, [i]], split.features[name], 0.0).astype(np.float32)
        for i, name in enumerate(names)
    }
    labels = _noisy_labels(split.labels, config.label_noise, config.noise_type, n_classes, rng)
    label_mask = rng.random(n) >= config.missing_labels
    stats = {
        "samples": n,
        "missing_modality": int((~mask).any(axis=1).sum()),
        "unlabelled": int((~label_mask).sum()),
        "wrong_labels": int(((labels != split.labels) & label_mask).sum()),
    }
    return ClientData(MultimodalSplit(features, split.labels), mask, labels, label_mask, stats)
