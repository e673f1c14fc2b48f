"""Each corruption at its rate, alone and combined, and its determinism."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from raikit.fedmm.corruptions import CorruptionConfig, clients_missing_a_modality, corrupt_client
from raikit.fedmm.data import MultimodalSplit

N, K = 20_000, 10


@pytest.fixture(scope="module")
def split() -> MultimodalSplit:
    rng = np.random.default_rng(0)
    features = {
        "a": rng.normal(size=(N, 4)).astype(np.float32) + 5,
        "b": rng.normal(size=(N, 3)).astype(np.float32) + 5,
    }
    return MultimodalSplit(features, rng.integers(0, K, size=N).astype(np.int64))


def corrupt(split: MultimodalSplit, drops: bool = False, **rates: object):
    return corrupt_client(
        split, CorruptionConfig(**rates), n_classes=K, client_id=1, client_drops_modality=drops, seed=7
    )


def test_clean_config_changes_nothing(split: MultimodalSplit) -> None:
    data = corrupt(split)
    assert data.modality_mask.all() and data.label_mask.all()
    assert np.array_equal(data.labels, split.labels)
    assert data.stats == {"samples": N, "missing_modality": 0, "unlabelled": 0, "wrong_labels": 0}


@pytest.mark.parametrize("rate", [0.2, 0.6])
def test_missing_modality_per_sample(split: MultimodalSplit, rate: float) -> None:
    data = corrupt(split, missing_modality=rate)
    dropped = ~data.modality_mask
    assert abs(dropped.any(axis=1).mean() - rate) < 0.02
    assert not dropped.all(axis=1).any()  # never both modalities
    assert abs(dropped[:, 0].mean() - dropped[:, 1].mean()) < 0.03  # which one is uniform
    assert np.all(data.split.features["a"][dropped[:, 0]] == 0)
    assert np.all(data.split.features["a"][~dropped[:, 0]] != 0)
    assert np.array_equal(data.labels, split.labels)


def test_missing_modality_per_client(split: MultimodalSplit) -> None:
    chosen = clients_missing_a_modality(10, 0.4, np.random.default_rng(0))
    assert len(chosen) == 4
    hit = corrupt(split, drops=True, missing_modality=0.4, missing_modality_mode="client")
    assert (~hit.modality_mask).any(axis=0).sum() == 1  # one whole modality gone
    assert (~hit.modality_mask).any(axis=1).all()
    spared = corrupt(split, drops=False, missing_modality=0.4, missing_modality_mode="client")
    assert spared.modality_mask.all()


@pytest.mark.parametrize("rate", [0.2, 0.8])
def test_missing_labels(split: MultimodalSplit, rate: float) -> None:
    data = corrupt(split, missing_labels=rate)
    assert abs((~data.label_mask).mean() - rate) < 0.02
    assert data.stats["unlabelled"] == int((~data.label_mask).sum())
    assert data.modality_mask.all()


@pytest.mark.parametrize("rate", [0.2, 0.6])
def test_uniform_label_noise(split: MultimodalSplit, rate: float) -> None:
    data = corrupt(split, label_noise=rate)
    wrong = data.labels != split.labels
    assert abs(wrong.mean() - rate) < 0.02
    offsets = (data.labels[wrong] - split.labels[wrong]) % K
    assert set(np.unique(offsets)) == set(range(1, K))  # every other class is reachable
    assert np.bincount(offsets, minlength=K)[1:].min() > 0.7 * wrong.sum() / (K - 1)


def test_class_dependent_label_noise(split: MultimodalSplit) -> None:
    data = corrupt(split, label_noise=0.4, noise_type="class")
    wrong = data.labels != split.labels
    assert abs(wrong.mean() - 0.4) < 0.02
    assert np.all(data.labels[wrong] == (split.labels[wrong] + 1) % K)


def test_combined_corruptions_and_determinism(split: MultimodalSplit) -> None:
    rates = {"missing_modality": 0.4, "missing_labels": 0.4, "label_noise": 0.4}
    data = corrupt(split, **rates)
    assert abs(data.stats["missing_modality"] / N - 0.4) < 0.02
    assert abs(data.stats["unlabelled"] / N - 0.4) < 0.02
    assert abs(data.stats["wrong_labels"] / data.label_mask.sum() - 0.4) < 0.02
    again = corrupt(split, **rates)
    assert np.array_equal(data.labels, again.labels) and np.array_equal(
        data.modality_mask, again.modality_mask
    )
    other = corrupt_client(
        split, CorruptionConfig(**rates), n_classes=K, client_id=2, client_drops_modality=False, seed=7
    )
    assert not np.array_equal(data.labels, other.labels)  # each client has its own draw


@pytest.mark.parametrize(
    "bad", [{"missing_labels": 1.5}, {"label_noise": -0.1}, {"noise_type": "gaussian"}, {"typo": 1}]
)
def test_bad_corruption_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CorruptionConfig(**bad)
