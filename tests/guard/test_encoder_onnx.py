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
    def broken(self: object, base: object, threads: int = 1, **kwargs: object) -> None:
        raise encoder_onnx.OnnxBackendError("no runtime here")

    monkeypatch.setattr(encoder_onnx.OnnxBackend, "__init__", broken)
    for falling_back in ("auto", "float32"):
        chosen = Encoder(backend=falling_back)
        assert chosen.encode(["hello there"]).shape == (1, 512)
        assert chosen.backend_name == "numpy"
    for forced in ("onnx", "onnx-int8"):
        with pytest.raises(RaikitError, match="no runtime here"):
            Encoder(backend=forced).encode(["hello there"])


def test_auto_runs_int8_and_float32_runs_onnx() -> None:
    auto, exact = Encoder(backend="auto"), Encoder(backend="float32")
    auto.encode(["hello there"]), exact.encode(["hello there"])
    assert (auto.backend_name, exact.backend_name) == ("onnx-int8", "onnx")


def test_a_body_that_disagrees_with_numpy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_onnx, "MIN_PROBE_COSINE", 1.5)
    exact = Encoder(backend="float32")
    exact.encode(["hello there"])
    assert exact.backend_name == "numpy"


def test_int8_embeddings_stay_close_to_float32_and_are_reproducible(
    encoders: tuple[Encoder, Encoder],
) -> None:
    plain, _ = encoders
    first, second = Encoder(backend="onnx-int8", cache_size=0), Encoder(backend="onnx-int8", cache_size=0)
    a, b = plain.encode(TEXTS), first.encode(TEXTS)
    assert first.backend_name == "onnx-int8" and b.dtype == np.float32 and b.shape == a.shape
    cosines = np.einsum("ij,ij->i", a, b)
    assert cosines.mean() > 0.99 and cosines.min() > 0.95
    assert not np.array_equal(a, b)  # it is the quantised graph that ran
    # A second backend, quantised afresh, computes the same numbers: nothing depends on the run.
    assert np.array_equal(second.encode(TEXTS), b)
    assert np.array_equal(np.stack([first.encode([t])[0] for t in TEXTS[:8]]), b[:8])


def test_int8_body_has_its_own_probe_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_onnx, "MIN_PROBE_COSINE_INT8", 1.5)
    with pytest.raises(RaikitError, match="onnx-int8 encoder body disagrees"):
        Encoder(backend="onnx-int8").encode(["hello there"])
    auto = Encoder(backend="auto")  # falls back to numpy, not to the float32 body
    auto.encode(["hello there"])
    assert auto.backend_name == "numpy"
    exact = Encoder(backend="float32")  # whose bound is untouched
    exact.encode(["hello there"])
    assert exact.backend_name == "onnx"
