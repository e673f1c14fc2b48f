"""Multi-label heads over sentence embeddings and lexical features (numpy at run time, with the
few-row products on ONNX Runtime when it is installed: :mod:`raikit.guard.products`).

A head is two files in ``raikit/guard/weights``: ``NAME.npz`` (``W`` of shape labels x features,
``b``, the Platt scaling ``platt_a``/``platt_c``, the per-label ``thresholds``, the int8
prototype embeddings, for some heads an orthonormal ``lang_basis``, and optionally a
:class:`HiddenLayer` that scores some labels instead of their row of ``W``) and ``NAME.json``
(feature spec, labels, how the text is read, training data hashes, metrics).

The feature vector of a text is ``[e | prototype similarities | lexical blocks]`` where ``e`` is
the embedding of the text's encoder view (or of one chunk, for heads that read documents) with
the language directions of ``lang_basis`` projected out, the prototype similarities are the
highest and mean top-3 dot products of ``e`` with each group of prototypes (training positives of
each label, benign hard negatives, a benign sample), and the lexical blocks come from
:mod:`raikit.guard.features`. Standardisation was folded into ``W`` and ``b`` at training time.

Probabilities are Platt-calibrated on a validation split with balanced class weights (so they
read as "probability at even prior odds"). Each label also has a default threshold chosen on
validation so that the head flags at most the target share of benign prompts; :meth:`risk`
rescales a probability piecewise-linearly so that the label's threshold maps to 0.5, which lets
scanners share the pipeline's usual ``score >= 0.5`` rule. ``decision_labels`` are the labels
whose thresholds decide (for ``harm``: ``any``); the others only say why.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from raikit.core.errors import RaikitError
from raikit.guard import features as feat
from raikit.guard.language import guess_language
from raikit.guard.products import ConstantProduct
from raikit.guard.resources import EMBEDDING_DIM, Encoder, Resources
from raikit.guard.screen import LexicalScreen, ScreenVerdict

FloatArray = npt.NDArray[np.float32]
Reading = Literal["view", "chunks"]
HEAD_NAMES = ("harm", "jailbreak", "injection_context", "toxicity")


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class HeadLoadError(RaikitError):
    """A classifier head's weight files are missing or do not match this version of raikit."""


@dataclass(frozen=True)
class Assessment:
    """A head's reading of one prompt: calibrated ``probs`` per label from the encoder, or, when the
    lexical screen decided the prompt is benign alone, ``probs`` None and the screen's verdict."""

    probs: dict[str, float] | None
    screen: ScreenVerdict | None = None


@dataclass(frozen=True)
class ReadSpec:
    """How a head reads a text: one head+tail view, or overlapping chunks scored separately."""

    reading: Reading = "view"
    budget_tokens: int = 64
    head_share: float = 0.75
    chunk_tokens: int = 80
    stride_tokens: int = 60
    max_chunks: int = 8

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReadSpec:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class LexicalCache:
    """Per-pipeline LRU of each text's encoder view and lexical features (all blocks)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, float], tuple[str, FloatArray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, budget_tokens: int, head_share: float) -> tuple[str, FloatArray]:
        key = (text, budget_tokens, head_share)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = (feat.encoder_view(text, budget_tokens, head_share=head_share), feat.lexical_features(text))
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


ALL_BLOCKS = ("ngrams", "cues", "stats")


def _block_columns(blocks: Sequence[str]) -> npt.NDArray[np.intp]:
    """Columns of the all-blocks lexical vector that make up ``blocks``, in order."""
    offsets: dict[str, int] = {}
    pos = 0
    for name in ALL_BLOCKS:
        offsets[name] = pos
        pos += feat.BLOCK_DIMS[name]
    cols = [np.arange(offsets[b], offsets[b] + feat.BLOCK_DIMS[b]) for b in blocks]
    return np.concatenate(cols) if cols else np.zeros(0, dtype=np.intp)


PROTO_K = 3


def project_out(emb: FloatArray, basis: FloatArray) -> FloatArray:
    """``emb`` minus its component in the span of ``basis`` (orthonormal columns)."""
    out: FloatArray = (emb - (emb @ basis) @ basis.T).astype(np.float32, copy=False)
    return out


def _stats_of_top(top: FloatArray, sizes: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
    """Highest and mean of each group's top values (``top``: ``(..., groups, k)``, padded with
    ``-inf`` where a group has fewer than ``k`` members; summed in sorted order, so the result
    does not depend on the order a partial sort leaves them in)."""
    top = np.sort(top, axis=-1)
    finite = np.isfinite(top)
    high = np.where(sizes > 0, top[..., -1], 0.0)
    total = np.where(finite, top, 0.0).sum(axis=-1)
    mean = total / np.maximum(np.minimum(sizes, top.shape[-1]), 1)
    return high.astype(np.float32), np.where(sizes > 0, mean, 0.0).astype(np.float32)


def prototype_stats(sims: FloatArray, groups: Sequence[npt.NDArray[np.intp]]) -> FloatArray:
    """Highest and mean top-:data:`PROTO_K` similarity to each prototype group, ``(n, 2 * groups)``
    (one partial sort per group; the statistics of all groups in one vectorised step)."""
    n, n_groups = sims.shape[0], len(groups)
    out = np.zeros((n, 2 * n_groups), np.float32)
    sizes = np.array([idx.size for idx in groups], np.intp)
    if n == 0 or n_groups == 0 or not sizes.any():
        return out
    k = min(PROTO_K, int(sizes.max()))
    tops = np.full((n, n_groups, k), -np.inf, np.float32)
    for g, idx in enumerate(groups):
        kk = min(k, idx.size)
        if kk:
            tops[:, g, :kk] = np.partition(sims[:, idx], idx.size - kk, axis=1)[:, idx.size - kk :]
    out[:, 0::2], out[:, 1::2] = _stats_of_top(tops, sizes)
    return out


@dataclass(frozen=True)
class HiddenLayer:
    """``relu(x @ W1.T + b1) @ W2.T + b2``: the scores of ``labels`` when a head has one.

    A linear score separates a harmful request from a benign one that borrows its words only as
    far as one direction of the embedding can; one hidden layer (trained on the same features,
    standardisation folded into ``W1``/``b1``) lets the deciding label combine them. Stored in
    the head's npz as ``hidden_W1`` (int8) with ``hidden_W1_scale`` (one float per row),
    ``hidden_b1``, ``hidden_W2`` and ``hidden_b2``; ``hidden_labels`` in its json names the labels
    it scores.
    """

    labels: tuple[str, ...]
    columns: npt.NDArray[np.intp]
    W1: FloatArray
    b1: FloatArray
    W2: FloatArray
    b2: FloatArray
    _product: ConstantProduct = field(init=False, repr=False, compare=False)

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any], head_labels: Sequence[str]
    ) -> HiddenLayer | None:
        labels = tuple(meta.get("hidden_labels") or ())
        if not labels:
            return None
        unknown = [label for label in labels if label not in head_labels]
        missing = [
            k
            for k in ("hidden_W1", "hidden_W1_scale", "hidden_b1", "hidden_W2", "hidden_b2")
            if k not in arrays
        ]
        if unknown or missing:
            raise HeadLoadError(f"hidden layer: unknown labels {unknown}, missing arrays {missing}")
        layer = cls(
            labels=labels,
            columns=np.array([list(head_labels).index(label) for label in labels], np.intp),
            W1=np.asarray(arrays["hidden_W1"], np.float32)
            * np.asarray(arrays["hidden_W1_scale"], np.float32)[:, None],
            b1=np.asarray(arrays["hidden_b1"], np.float32),
            W2=np.asarray(arrays["hidden_W2"], np.float32),
            b2=np.asarray(arrays["hidden_b2"], np.float32),
        )
        if layer.W2.shape != (len(labels), layer.W1.shape[0]) or layer.b2.shape != (len(labels),):
            raise HeadLoadError(f"hidden layer: W2 has shape {layer.W2.shape} for {len(labels)} labels")
        return layer

    def __post_init__(self) -> None:
        object.__setattr__(self, "_product", ConstantProduct(self.W1))

    def logits(self, x: FloatArray) -> FloatArray:
        h = np.maximum(self._product(x) + self.b1, 0.0)
        out: FloatArray = (h @ self.W2.T + self.b2).astype(np.float32, copy=False)
        return out

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The arrays to store; ``W1`` as int8 rows with one float scale each (it is most of a
        head's size; training rounds it the same way before calibrating, see :func:`int8_rows`,
        so stored and trained heads score alike)."""
        q, scale = quantize_rows(self.W1)
        return {
            "hidden_W1": q,
            "hidden_W1_scale": scale,
            "hidden_b1": self.b1,
            "hidden_W2": self.W2,
            "hidden_b2": self.b2,
        }


def quantize_rows(w: FloatArray) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """Symmetric int8 per row: ``w ~ q * scale[:, None]``."""
    scale = (np.abs(w).max(axis=1) / 127.0).astype(np.float32)
    scale[scale == 0] = 1.0
    return np.round(w / scale[:, None]).astype(np.int8), scale


def int8_rows(w: FloatArray) -> FloatArray:
    """``w`` as the stored int8 rows give it back."""
    q, scale = quantize_rows(w)
    return (q.astype(np.float32) * scale[:, None]).astype(np.float32)


class LinearHead:
    """A calibrated multi-label head (logistic, plus an optional hidden layer); see the module docstring."""

    def __init__(
        self,
        name: str,
        arrays: Mapping[str, npt.NDArray[Any]],
        meta: Mapping[str, Any],
        encoder: TextEncoder | None = None,
        lexical: LexicalCache | None = None,
    ) -> None:
        if meta.get("feature_version") != feat.FEATURE_VERSION:
            raise HeadLoadError(
                f"head {name!r} was trained with feature version {meta.get('feature_version')!r}, "
                f"this raikit computes version {feat.FEATURE_VERSION!r}; retrain it with "
                "`python -m raikit.guard.training`"
            )
        self.name = name
        self.meta = dict(meta)
        self.labels: tuple[str, ...] = tuple(meta["labels"])
        self.blocks: tuple[str, ...] = tuple(meta["blocks"])
        self.read = ReadSpec.from_json(meta["read"])
        self.W = np.asarray(arrays["W"], dtype=np.float32)
        self.b = np.asarray(arrays["b"], dtype=np.float32)
        self.platt_a = np.asarray(arrays["platt_a"], dtype=np.float32)
        self.platt_c = np.asarray(arrays["platt_c"], dtype=np.float32)
        self.thresholds = np.asarray(arrays["thresholds"], dtype=np.float32)
        self._columns = _block_columns(self.blocks)
        self.hidden = HiddenLayer.from_arrays(arrays, meta, self.labels)
        """An optional one-hidden-layer network that replaces the linear score of some labels."""
        self.decision_labels: tuple[str, ...] = tuple(meta.get("decision_labels") or self.labels)
        """The labels whose thresholds decide whether a text is flagged; the others only say why."""
        self.proto_names: tuple[str, ...] = tuple(meta.get("prototypes", ()))
        self.proto = np.zeros((0, EMBEDDING_DIM), np.float32)
        self._proto_product = ConstantProduct(self.proto)
        self.proto_groups: list[npt.NDArray[np.intp]] = []
        if self.proto_names:
            self.set_prototypes(
                np.asarray(arrays["proto"], np.float32) * float(arrays["proto_scale"]),
                np.asarray(arrays["proto_index"], np.intp),
                np.asarray(arrays["proto_offsets"], np.intp),
            )
        self.proto_lang_shift: dict[str, float] = {
            str(k): float(v) for k, v in dict(meta.get("proto_lang_shift") or {}).items()
        }
        """Per language, what is added to the prototype similarity statistics of a text in that
        language (see :meth:`lang_shifts`); empty for heads without one."""
        basis = arrays.get("lang_basis")
        self.lang_basis = None if basis is None or basis.size == 0 else np.asarray(basis, np.float32)
        expected = EMBEDDING_DIM + 2 * len(self.proto_names) + len(self._columns)
        if self.W.shape != (len(self.labels), expected):
            raise HeadLoadError(
                f"head {name!r}: W has shape {self.W.shape}, expected {(len(self.labels), expected)}"
            )
        if self.hidden is not None and self.hidden.W1.shape[1] != expected:
            raise HeadLoadError(
                f"head {name!r}: hidden_W1 has shape {self.hidden.W1.shape}, expected (*, {expected})"
            )
        self.encoder = encoder
        self.lexical = lexical or LexicalCache()
        self.screen: LexicalScreen | None = None
        """The lexical first stage used by :meth:`assess` (set by :func:`shared_head`)."""

    def set_prototypes(
        self, proto: FloatArray, index: npt.NDArray[np.intp], offsets: npt.NDArray[np.intp]
    ) -> None:
        """Prototype embeddings and, per group of :attr:`proto_names`, the rows that belong to it."""
        self.proto = proto
        self._proto_product = ConstantProduct(proto)
        self.proto_groups = [index[offsets[g] : offsets[g + 1]] for g in range(len(offsets) - 1)]

    def prepare(self) -> None:
        """Build the products' ONNX Runtime sessions now (see :mod:`raikit.guard.products`)."""
        self._proto_product.prepare()
        if self.hidden is not None:
            self.hidden._product.prepare()

    # --- loading ------------------------------------------------------------------------------

    @classmethod
    def from_files(cls, npz: Path, meta_json: Path, **kwargs: Any) -> LinearHead:
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(npz.stem, arrays, json.loads(meta_json.read_text(encoding="utf-8")), **kwargs)

    @classmethod
    def load(cls, name: str, **kwargs: Any) -> LinearHead:
        """The shipped head ``name`` from the package's ``weights`` folder."""
        folder = files("raikit.guard").joinpath("weights")
        npz, meta = folder.joinpath(f"{name}.npz"), folder.joinpath(f"{name}.json")
        if not (npz.is_file() and meta.is_file()):
            raise HeadLoadError(f"no weights for classifier head {name!r} in raikit/guard/weights")
        with npz.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(name, arrays, json.loads(meta.read_text(encoding="utf-8")), **kwargs)

    # --- features and scores ------------------------------------------------------------------

    def _encoder(self) -> TextEncoder:
        if self.encoder is None:
            self.encoder = Encoder()
        return self.encoder

    def embed(self, views: Sequence[str]) -> FloatArray:
        """Embeddings of ``views`` with the language directions projected out (when the head has them)."""
        emb = self._encoder().encode(list(views)) if views else np.zeros((0, EMBEDDING_DIM), np.float32)
        return emb if self.lang_basis is None else project_out(emb, self.lang_basis)

    def lang_shifts(self, texts: Sequence[str]) -> FloatArray | None:
        """Per text, the shift of its prototype statistics for the language it is written in.

        The prototypes are mostly English, and a request in another language sits further from
        all of them than the same request in English does (the encoder's cross-lingual alignment
        is good, not perfect), so its similarity statistics read lower and the head under-scores
        it. The shift is the median of that drop, measured on the authored parallel prompts of
        the train split (:func:`raikit.guard.training.lang_shift.fit_lang_shift`); the language
        comes from :func:`raikit.guard.language.guess_language` (None, English or an unfitted
        language: no shift). None when no text is shifted."""
        if not self.proto_lang_shift:
            return None
        out = np.array([self.proto_lang_shift.get(guess_language(t) or "", 0.0) for t in texts], np.float32)
        return out if out.any() else None

    def features_for(
        self, views: Sequence[str], lexical: FloatArray, shift: FloatArray | None = None
    ) -> FloatArray:
        emb = self.embed(views)
        return self.assemble(emb, self._proto_product(emb), lexical, shift)

    def assemble(
        self, emb: FloatArray, sims: FloatArray, lexical: FloatArray, shift: FloatArray | None = None
    ) -> FloatArray:
        """``[embedding | prototype similarity stats | selected lexical blocks]``; ``shift``
        (one value per row, see :meth:`lang_shifts`) is added to the statistics."""
        stats = prototype_stats(sims, self.proto_groups)
        if shift is not None and stats.shape[1]:
            stats += shift[:, None]
        parts = [emb, stats, lexical[:, self._columns]]
        return np.concatenate(parts, axis=1).astype(np.float32, copy=False)

    def logits(self, x: FloatArray) -> FloatArray:
        out: FloatArray = x @ self.W.T + self.b
        if self.hidden is not None:
            out[:, self.hidden.columns] = self.hidden.logits(x)
        return out

    def calibrate(self, logits: FloatArray) -> FloatArray:
        z = np.clip(self.platt_a * logits + self.platt_c, -40.0, 40.0)
        out: FloatArray = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
        return out

    def _logits_views(self, texts: Sequence[str]) -> FloatArray:
        pairs = [self.lexical.get(t, self.read.budget_tokens, self.read.head_share) for t in texts]
        lex = (
            np.stack([p[1] for p in pairs])
            if pairs
            else np.zeros((0, sum(feat.BLOCK_DIMS.values())), np.float32)
        )
        return self.logits(self.features_for([p[0] for p in pairs], lex, self.lang_shifts(texts)))

    def chunks(self, text: str) -> list[str]:
        """The chunks of ``text`` this head scores (at most ``max_chunks``; when there are more,
        the first, the last and those with the most prompt-attack cues)."""
        flat = feat.flatten(feat.encoder_text(text))
        pieces = [
            flat[a:b] for a, b in feat.chunk_spans(flat, self.read.chunk_tokens, self.read.stride_tokens)
        ]
        if len(pieces) <= self.read.max_chunks:
            return pieces or [""]
        cue_scores = [float(feat.cue_features(p)[:10].sum()) for p in pieces[1:-1]]
        order = sorted(range(len(cue_scores)), key=lambda i: (-cue_scores[i], i))
        keep = sorted(i + 1 for i in order[: self.read.max_chunks - 2])
        return [pieces[0], *(pieces[i] for i in keep), pieces[-1]]

    def _logits_chunks(self, texts: Sequence[str]) -> tuple[FloatArray, list[int]]:
        pieces = [self.chunks(t) for t in texts]
        flat_pieces = [p for ps in pieces for p in ps]
        lex = (
            np.stack([feat.lexical_features(p) for p in flat_pieces])
            if flat_pieces
            else np.zeros((0, sum(feat.BLOCK_DIMS.values())), np.float32)
        )
        shift = self.lang_shifts(texts)
        if shift is not None:
            shift = np.repeat(shift, [len(ps) for ps in pieces])
        logits = self.logits(self.features_for(flat_pieces, lex, shift))
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        best: list[int] = []
        start = 0
        for i, ps in enumerate(pieces):
            block = logits[start : start + len(ps)]
            out[i] = block.max(axis=0)
            best.append(int(block.max(axis=1).argmax()))
            start += len(ps)
        return out, best

    def text_logits(self, texts: Sequence[str]) -> FloatArray:
        """Uncalibrated scores per text and label (the maximum over chunks for chunked heads)."""
        if self.read.reading == "chunks":
            return self._logits_chunks(texts)[0]
        return self._logits_views(texts)

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Calibrated probabilities, shape ``(len(texts), len(labels))``."""
        return self.calibrate(self.text_logits(texts))

    def assess(self, text: str, *, screen: bool = True) -> Assessment:
        """Read one prompt the fast way: the lexical screen first (when ``screen`` and the head has
        one), the encoder only when the screen is unsure; for a prompt longer than the encoder
        view, the view and the screen's most suspicious middle window in one batched encoder
        pass (when the screen finds that window suspicious), the higher score per label counting."""
        covered = self.screen is not None and self.screen.covers(self.name) and self.read.reading == "view"
        if screen and covered:
            assert self.screen is not None
            verdict = self.screen.verdict(self.name, text)
            if verdict.benign:
                return Assessment(None, verdict)
        if not covered:
            return Assessment(self.predict_one(text))
        assert self.screen is not None
        view, lexical = self.lexical.get(text, self.read.budget_tokens, self.read.head_share)
        views = [view]
        flat = feat.flatten(feat.encoder_text(text), feat.MAX_FEATURE_CHARS)
        cut = feat.view_cut(flat, self.read.budget_tokens, self.read.head_share)
        window = self.screen.hottest_window(flat, cut) if cut is not None else None
        if window and self.screen.suspicious(window):
            views.append(window)
        shift = self.lang_shifts([text])
        lexicals = np.repeat(lexical[None, :], len(views), axis=0)
        logits = self.logits(
            self.features_for(views, lexicals, None if shift is None else np.repeat(shift, len(views)))
        )
        probs = self.calibrate(logits.max(axis=0, keepdims=True))[0]
        return Assessment({label: float(p) for label, p in zip(self.labels, probs, strict=True)})

    def best_chunk(self, text: str) -> int:
        """Index (among :meth:`chunks`) of the chunk with the highest score."""
        return self._logits_chunks([text])[1][0]

    def predict(self, texts: Sequence[str]) -> dict[str, FloatArray]:
        """Calibrated probability of each label for each text: ``{label: array(len(texts))}``."""
        probs = self.probabilities(texts)
        return {label: probs[:, i] for i, label in enumerate(self.labels)}

    def predict_one(self, text: str) -> dict[str, float]:
        probs = self.probabilities([text])[0]
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def flags(self, texts: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Whether each text is flagged at the shipped thresholds (any deciding label over its own)."""
        probs = self.probabilities(texts)
        decision = [j for j, label in enumerate(self.labels) if label in self.decision_labels]
        return np.asarray((probs[:, decision] >= self.thresholds[decision]).any(axis=1), dtype=bool)

    def threshold(self, label: str) -> float:
        return float(self.thresholds[self.labels.index(label)])

    def risk(self, label: str, prob: float, threshold: float | None = None) -> float:
        """``prob`` rescaled so that ``threshold`` (default: the label's own) maps to 0.5."""
        t = min(max(self.threshold(label) if threshold is None else threshold, 1e-6), 1.0 - 1e-6)
        p = min(max(prob, 0.0), 1.0)
        return 0.5 * p / t if p < t else 0.5 + 0.5 * (p - t) / (1.0 - t)


def shared_head(resources: Resources, name: str) -> LinearHead:
    """The head ``name`` of this pipeline, loaded once and reading the pipeline's shared encoder."""
    lexical: LexicalCache = resources.shared("guard:lexical", LexicalCache)
    encoder = resources.encoder  # outside shared(): it holds the lock that .encoder takes
    screen: LexicalScreen | None = resources.shared("guard:screen", LexicalScreen.load)

    def build() -> LinearHead:
        head = LinearHead.load(name, encoder=encoder, lexical=lexical)
        head.screen = screen
        head.prepare()
        return head

    head: LinearHead = resources.shared(f"head:{name}", build)
    return head


class ScannerSettingsError(RaikitError):
    """A classifier scanner's settings are invalid."""


@dataclass(frozen=True)
class HeadSettings:
    """The settings every classifier scanner reads: ``threshold`` (on the risk scale, where 0.5 is
    each label's shipped operating point) and ``thresholds`` (per-label probability thresholds
    that replace the shipped ones)."""

    threshold: float = 0.5
    thresholds: Mapping[str, float] | None = None
    screen: bool = True
    """Let the lexical screen decide confidently benign prompts alone (it is validated at the
    shipped operating points, so per-label overrides or a threshold under 0.5 turn it off)."""

    @property
    def screened(self) -> bool:
        return self.screen and not self.thresholds and self.threshold >= 0.5

    @classmethod
    def parse(cls, scanner: str, settings: Mapping[str, Any], labels: Sequence[str]) -> HeadSettings:
        try:
            threshold = float(settings.get("threshold", 0.5))
            thresholds = {str(k): float(v) for k, v in dict(settings.get("thresholds") or {}).items()}
        except (TypeError, ValueError) as exc:
            raise ScannerSettingsError(
                f"scanner {scanner!r}: threshold(s) must be numbers in [0, 1]"
            ) from exc
        unknown = sorted(set(thresholds) - set(labels))
        if unknown:
            raise ScannerSettingsError(
                f"scanner {scanner!r}: unknown label(s) in thresholds: {', '.join(unknown)}; "
                f"valid: {', '.join(labels)}"
            )
        if not all(0.0 <= t <= 1.0 for t in (threshold, *thresholds.values())):
            raise ScannerSettingsError(f"scanner {scanner!r}: threshold(s) must be in [0, 1]")
        return cls(threshold, thresholds, bool(settings.get("screen", True)))

    def risks(self, head: LinearHead, probs: Mapping[str, float]) -> dict[str, float]:
        """Each label's probability on the risk scale (its threshold maps to 0.5)."""
        overrides = self.thresholds or {}
        return {label: head.risk(label, p, overrides.get(label)) for label, p in probs.items()}
