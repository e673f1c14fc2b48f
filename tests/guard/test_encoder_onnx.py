"""The encoder's ONNX Runtime backend computes what the numpy backend computes, and falls back."""

# ruff: noqa: RUF001 - prompts in other languages on purpose

from __future__ import annotations

import numpy as np
import pytest

from raikit.core.errors import RaikitError
from raikit.guard import encoder_onnx
from raikit.guard.resources import Encoder

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

TEXTS = [
    "",
    "x",
    "How do I kill a Python process that hangs?",
    "Wie setze ich das Passwort meines Routers zurück?",
    "フリーズしたプロセスを終了する方法は？",
    "كيف أوقف عملية معلقة على الخادم؟",
    "word " * 500,  # one sentence over the micro-batch token budget
    *(f"Sentence number {i} about gardens, rivers and the history of bread." for i in range(60)),
]


@pytest.fixture(scope="module")
def encoders() -> tuple[Encoder, Encoder]:
    return Encoder(backend="numpy", cache_size=0), Encoder(backend="onnx", cache_size=0)


def test_onnx_embeddings_match_numpy(encoders: tuple[Encoder, Encoder]) -> None:
    plain, fast = encoders
    a, b = plain.encode(TEXTS), fast.encode(TEXTS)
    assert (plain.backend_name, fast.backend_name) == ("numpy", "onnx")
    assert a.shape == b.shape == (len(TEXTS), 512) and b.dtype == np.float32
    assert np.abs(a - b).max() < 1e-5
    one_by_one = np.stack([fast.encode([t])[0] for t in TEXTS[:8]])
    assert np.abs(one_by_one - b[:8]).max() < 1e-5


def test_backend_choice_is_validated_and_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RaikitError, match="unknown encoder backend"):
        Encoder(backend="gpu")
    monkeypatch.setenv("RAIKIT_ENCODER_BACKEND", "numpy")
    enc = Encoder()
    enc.encode(["hello there"])
    assert enc.backend == "numpy" and enc.backend_name == "numpy"


def test_auto_falls_back_to_numpy_and_onnx_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: object, base: object, threads: int = 1) -> None:
        raise encoder_onnx.OnnxBackendError("no runtime here")

    monkeypatch.setattr(encoder_onnx.OnnxBackend, "__init__", broken)
    auto = Encoder(backend="auto")
    assert auto.encode(["hello there"]).shape == (1, 512)
    assert auto.backend_name == "numpy"
    with pytest.raises(RaikitError, match="no runtime here"):
        Encoder(backend="onnx").encode(["hello there"])


def test_a_body_that_disagrees_with_numpy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_onnx, "MIN_PROBE_COSINE", 1.5)
    auto = Encoder(backend="auto")
    auto.encode(["hello there"])
    assert auto.backend_name == "numpy"
