"""AV-digits: spoken digits (FSDD, CC BY-SA 4.0) paired by label with handwritten digits (scikit-learn).

The same idea as AV-MNIST. Audio: the Free Spoken Digit Dataset read from ``<data_dir>/fsdd/recordings``
(3,000 8 kHz WAV files; takes 0-4 of every speaker and digit are the official test split). Each
recording becomes a log-mel spectrogram (32 bands) averaged over 16 equal time segments, so every
clip gives a 512-dim vector whatever its length. Images: scikit-learn's ``load_digits`` (1,797 8x8
images, scaled to [0, 1]), split per class 80/20 into disjoint train/test pools; every audio clip is
paired with an image of the same digit from the pool of its split, round-robin over a seeded shuffle.

The audio features are computed once and cached under the user cache directory
(``$RAIKIT_CACHE_DIR`` or ``$XDG_CACHE_HOME/raikit`` or ``~/.cache/raikit``), never in the repository.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from raikit.fedmm.data import (
    DatasetOptions,
    FloatArray,
    IntArray,
    MultimodalDataset,
    MultimodalSplit,
    fedmm_dataset,
)
from raikit.fedmm.errors import FedMMDataError

SAMPLE_RATE = 8000
N_FFT = 256
HOP = 80
N_MELS = 32
N_SEGMENTS = 16
N_TEST_TAKES = 5  # FSDD's official split: takes 0-4 are the test set
FEATURE_VERSION = "logmel-v1"
PAIRING_SEED = 1234


def user_cache_dir() -> Path:
    """Where raikit caches derived data: ``$RAIKIT_CACHE_DIR``, else the XDG cache directory."""
    if os.environ.get("RAIKIT_CACHE_DIR"):
        return Path(os.environ["RAIKIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "raikit"


def _hz_to_mel(hz: FloatArray) -> FloatArray:
    return np.asarray(2595.0 * np.log10(1.0 + hz / 700.0), dtype=np.float32)


def _mel_to_hz(mel: FloatArray) -> FloatArray:
    return np.asarray(700.0 * (10.0 ** (mel / 2595.0) - 1.0), dtype=np.float32)


def mel_filterbank(sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> FloatArray:
    """Triangular mel filters (HTK mel scale), shape ``(n_mels, n_fft // 2 + 1)``."""
    top_mel = float(_hz_to_mel(np.asarray([sample_rate / 2], dtype=np.float32))[0])
    edges_mel = np.linspace(0.0, top_mel, n_mels + 2, dtype=np.float32)
    edges_bin = _mel_to_hz(edges_mel) * n_fft / sample_rate
    bins = np.arange(n_fft // 2 + 1, dtype=np.float32)
    bank = np.zeros((n_mels, bins.size), dtype=np.float32)
    for m in range(n_mels):
        left, centre, right = edges_bin[m], edges_bin[m + 1], edges_bin[m + 2]
        rising = (bins - left) / max(centre - left, 1e-6)
        falling = (right - bins) / max(right - centre, 1e-6)
        bank[m] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def logmel_features(signal: FloatArray, bank: FloatArray) -> FloatArray:
    """Log-mel spectrogram of ``signal`` pooled to ``N_SEGMENTS`` time segments, flattened."""
    if signal.size < N_FFT:
        signal = np.pad(signal, (0, N_FFT - signal.size))
    n_frames = 1 + (signal.size - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(signal, N_FFT)[::HOP][:n_frames]
    power = np.abs(np.fft.rfft(frames * np.hanning(N_FFT).astype(np.float32), axis=1)) ** 2
    logmel = np.log(power @ bank.T + 1e-6)  # (frames, mels)
    segments = np.array_split(np.arange(n_frames), min(N_SEGMENTS, n_frames))
    pooled = np.stack([logmel[s].mean(axis=0) for s in segments])
    if pooled.shape[0] < N_SEGMENTS:  # clips shorter than 16 frames: repeat the last segment
        pooled = np.concatenate([pooled, np.repeat(pooled[-1:], N_SEGMENTS - pooled.shape[0], axis=0)])
    return np.asarray(pooled.T.reshape(-1), dtype=np.float32)


def _read_wav(path: Path) -> FloatArray:
    with wave.open(str(path), "rb") as handle:
        if handle.getsampwidth() != 2 or handle.getnchannels() != 1:
            raise FedMMDataError(f"{path} is not 16-bit mono PCM")
        raw = handle.readframes(handle.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def _recordings(data_dir: Path) -> list[Path]:
    folder = data_dir / "fsdd" / "recordings"
    if not folder.is_dir():
        raise FedMMDataError(
            f"FSDD recordings not found in {folder}; pass --data-dir pointing at the folder holding fsdd/"
        )
    files = sorted(folder.glob("*.wav"))
    if not files:
        raise FedMMDataError(f"{folder} holds no .wav files")
    return files


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256(FEATURE_VERSION.encode())
    for path in files:
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def audio_features(data_dir: Path, cache_dir: Path | None = None) -> tuple[FloatArray, IntArray, IntArray]:
    """Log-mel vectors, digit labels and take indices of all FSDD clips (cached on disk)."""
    files = _recordings(data_dir)
    cache = (cache_dir or user_cache_dir() / "fedmm") / f"fsdd-{_fingerprint(files)}.npz"
    if cache.exists():
        with np.load(cache) as stored:
            return stored["features"], stored["labels"], stored["takes"]
    bank = mel_filterbank()
    features = np.stack([logmel_features(_read_wav(path), bank) for path in files])
    digit, take = zip(*((int(p.stem.split("_")[0]), int(p.stem.split("_")[2])) for p in files), strict=True)
    labels, takes = np.asarray(digit, dtype=np.int64), np.asarray(take, dtype=np.int64)
    cache.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as handle:
        np.savez(handle, features=features, labels=labels, takes=takes)
    Path(tmp).replace(cache)
    return features, labels, takes


def _pair_images(
    labels: IntArray, pool: IntArray, image_labels: IntArray, rng: np.random.Generator
) -> IntArray:
    """For each label, an image index of the same class from ``pool``, round-robin over a shuffle."""
    paired = np.empty(labels.size, dtype=np.int64)
    for cls in np.unique(labels):
        candidates = pool[image_labels[pool] == cls]
        rng.shuffle(candidates)
        slots = np.flatnonzero(labels == cls)
        paired[slots] = candidates[np.arange(slots.size) % candidates.size]
    return paired


@fedmm_dataset(
    "av-digits", description="FSDD spoken digits (log-mel) paired with scikit-learn 8x8 digit images"
)
def av_digits(options: DatasetOptions) -> MultimodalDataset:
    from sklearn.datasets import load_digits

    if options.data_dir is None:
        raise FedMMDataError(
            "av-digits needs the shared data folder: pass --data-dir (the folder holding fsdd/)"
        )
    audio, labels, takes = audio_features(options.data_dir, options.cache_dir)
    digits = load_digits()
    images = np.asarray(digits.data, dtype=np.float32) / 16.0
    image_labels = np.asarray(digits.target, dtype=np.int64)
    rng = np.random.default_rng(PAIRING_SEED)
    order = rng.permutation(image_labels.size)
    test_pool = np.concatenate(
        [order[image_labels[order] == c][: int(0.2 * np.sum(image_labels == c))] for c in range(10)]
    )
    train_pool = np.setdiff1d(order, test_pool)
    is_test = takes < N_TEST_TAKES
    mean, std = audio[~is_test].mean(axis=0), audio[~is_test].std(axis=0) + 1e-6
    audio = (audio - mean) / std  # standardised with training statistics only

    def split(mask: NDArray[np.bool_], pool: IntArray) -> MultimodalSplit:
        paired = _pair_images(labels[mask], pool, image_labels, rng)
        return MultimodalSplit({"audio": audio[mask], "image": images[paired]}, labels[mask])

    return MultimodalDataset("av-digits", split(~is_test, train_pool), split(is_test, test_pool), 10)
