"""An on-disk cache of sentence embeddings for training runs, keyed by tokenizer and text hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from raikit.guard.resources import EMBEDDING_DIM, TOKENIZER, TRAINING_BACKEND, Encoder

FloatArray = npt.NDArray[np.float32]


class CachedEncoder:
    """The raikit encoder with an optional on-disk cache of embeddings keyed by text hash."""

    def __init__(self, path: Path | None, log: Callable[[str], None], threads: int = 2) -> None:
        self.encoder = Encoder(threads=threads, cache_size=0, max_chars=100_000, backend=TRAINING_BACKEND)
        self.path = path
        self.log = log
        self.store: dict[str, FloatArray] = {}
        if path is not None and path.is_file():
            with np.load(path, allow_pickle=False) as z:
                self.store = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(f"{TOKENIZER}\0{text}".encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> FloatArray:
        keys = [self._key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self.store}.items())
        for start in range(0, len(missing), 2048):
            batch = missing[start : start + 2048]
            vectors = self.encoder.encode([t for _, t in batch])
            self.store.update((k, v) for (k, _), v in zip(batch, vectors, strict=True))
            self.log(f"    encoded {min(start + 2048, len(missing))}/{len(missing)} new texts")
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), np.float32)
        return np.stack([self.store[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(self.store)
            np.savez(self.path, keys=np.array(keys), vectors=np.stack([self.store[k] for k in keys]))
