"""Datasets, the loader interface and Dirichlet partitioning."""

from __future__ import annotations

import numpy as np
import pytest

from raikit.fedmm.data import (
    DatasetOptions,
    DatasetRef,
    MultimodalDataset,
    MultimodalSplit,
    UnknownDatasetError,
    dirichlet_partition,
    load_dataset,
    synthetic_dataset,
)
from raikit.fedmm.errors import FedMMConfigError, FedMMDataError
from support import SHARED_DATA


def tiny_loader(options: DatasetOptions) -> MultimodalDataset:
    """A user dataset plugged in by import path (``tests...:tiny_loader`` is not how users name it;
    they use their own package, the mechanism is the same)."""
    rng = np.random.default_rng(options.seed)
    labels = np.arange(40, dtype=np.int64) % 2
    split = MultimodalSplit({"x": rng.normal(size=(40, 3)).astype(np.float32)}, labels)
    return MultimodalDataset("tiny", split, split, 2)


def test_dirichlet_partition_covers_every_sample_once_and_is_seeded() -> None:
    labels = np.repeat(np.arange(10), 100).astype(np.int64)
    parts = dirichlet_partition(labels, 7, 0.5, np.random.default_rng(3))
    merged = np.sort(np.concatenate(parts))
    assert np.array_equal(merged, np.arange(labels.size))
    assert min(len(p) for p in parts) >= 2
    again = dirichlet_partition(labels, 7, 0.5, np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))


def test_small_alpha_is_more_skewed_than_large_alpha() -> None:
    labels = np.repeat(np.arange(10), 200).astype(np.int64)

    def mean_dominant_share(alpha: float) -> float:
        parts = dirichlet_partition(labels, 5, alpha, np.random.default_rng(0))
        return float(np.mean([np.bincount(labels[p], minlength=10).max() / len(p) for p in parts]))

    skewed, balanced = mean_dominant_share(0.05), mean_dominant_share(1000.0)
    assert skewed > 0.4
    assert balanced < 0.15


@pytest.mark.parametrize(
    ("clients", "alpha", "message"),
    [(0, 0.5, "at least one client"), (3, 0.0, "alpha must be > 0"), (600, 0.5, "cannot give")],
)
def test_dirichlet_partition_bad_input(clients: int, alpha: float, message: str) -> None:
    labels = np.zeros(100, dtype=np.int64)
    with pytest.raises(FedMMConfigError, match=message):
        dirichlet_partition(labels, clients, alpha, np.random.default_rng(0))


def test_synthetic_dataset_is_seeded_and_valid() -> None:
    a = synthetic_dataset(DatasetOptions(seed=1))
    b = synthetic_dataset(DatasetOptions(seed=1))
    c = synthetic_dataset(DatasetOptions(seed=2))
    assert a.modalities == ("a", "b")
    assert np.array_equal(a.train.features["a"], b.train.features["a"])
    assert not np.array_equal(a.train.features["a"], c.train.features["a"])
    assert a.validate() is a
    assert set(np.unique(a.train.labels)) == {0, 1, 2, 3}


def test_loaders_by_name_and_import_path() -> None:
    assert load_dataset(DatasetRef(name="synthetic")).name == "synthetic"
    assert load_dataset(DatasetRef(name=f"{__name__}:tiny_loader")).modalities == ("x",)
    with pytest.raises(UnknownDatasetError, match="unknown dataset 'nope'"):
        load_dataset(DatasetRef(name="nope"))
    with pytest.raises(UnknownDatasetError, match="cannot import"):
        load_dataset(DatasetRef(name="no_such_module_xyz:loader"))


def test_malformed_datasets_are_rejected() -> None:
    with pytest.raises(FedMMDataError, match="shape"):
        MultimodalSplit({"x": np.zeros((3, 2), dtype=np.float32)}, np.zeros(4, dtype=np.int64))
    split = MultimodalSplit({"x": np.zeros((4, 2), dtype=np.float32)}, np.array([0, 1, 2, 5]))
    with pytest.raises(FedMMDataError, match="labels outside"):
        MultimodalDataset("bad", split, split, 3).validate()


def test_av_digits_requires_its_data_folder(tmp_path) -> None:
    with pytest.raises(FedMMDataError, match="FSDD recordings not found"):
        load_dataset(DatasetRef(name="av-digits", options=DatasetOptions(data_dir=tmp_path)))


def test_logmel_features_have_a_fixed_size_for_any_length() -> None:
    from raikit.fedmm.avdigits import N_MELS, N_SEGMENTS, logmel_features, mel_filterbank

    bank = mel_filterbank()
    assert bank.shape == (N_MELS, 129)
    assert np.all(bank.sum(axis=1) > 0)  # no empty mel band
    t = np.arange(8000, dtype=np.float32) / 8000
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    for n in (100, 1200, 8000):
        assert logmel_features(tone[:n], bank).shape == (N_MELS * N_SEGMENTS,)
    low = logmel_features(np.sin(2 * np.pi * 200 * t).astype(np.float32), bank).reshape(N_MELS, -1)
    high = logmel_features(tone, bank).reshape(N_MELS, -1)
    assert low.mean(axis=1).argmax() < high.mean(axis=1).argmax()  # a higher pitch lights higher bands


@pytest.mark.skipif(not (SHARED_DATA / "fsdd" / "recordings").is_dir(), reason="needs ../shared/data/fsdd")
def test_av_digits_pairs_audio_and_images_by_label() -> None:
    from sklearn.datasets import load_digits

    ds = load_dataset(DatasetRef(name="av-digits", options=DatasetOptions(data_dir=SHARED_DATA)))
    assert (len(ds.train), len(ds.test), ds.n_classes) == (2700, 300, 10)
    assert ds.input_dims() == {"audio": 512, "image": 64}
    digits = load_digits()
    images = np.asarray(digits.data, dtype=np.float32) / 16.0
    lookup = {row.tobytes(): label for row, label in zip(images, digits.target, strict=True)}
    for split in (ds.train, ds.test):
        labels = [lookup[row.tobytes()] for row in split.features["image"]]
        assert np.array_equal(labels, split.labels)
    train_images = {row.tobytes() for row in ds.train.features["image"]}
    assert not train_images & {row.tobytes() for row in ds.test.features["image"]}
