"""The lexical screen: a cheap first stage in front of the encoder-based heads.

A linear model per head (``harm``, ``jailbreak``) over hashed character 3-5-grams and word 1-2-grams
of the whole text (``SCREEN_DIM`` buckets, log term frequencies, L2-normalised), trained by the same
command as the heads (:mod:`raikit.guard.training.screen`) on the same train split. Scoring a
2,000-token prompt costs well under a millisecond; the encoder costs several.

What the screen decides:

- **confidently benign**: the screen score is under ``cut_low``, chosen on the head's validation
  split so that at most ``miss_budget`` (0.5%) of its positives fall under it. The head then skips
  the encoder and reports the screen's risk (below 0.5). The screen only decides for text it was
  validated on: the harmful training data is English, so text that does not read as English
  (:func:`reads_as_english`) always goes to the encoder, whose multilingual embedding carries the
  cross-lingual transfer.
- **where to look in a long prompt**: the encoder reads a head-and-tail view of a long text; the
  screen picks the most suspicious window in between, and both are encoded in one batched forward
  pass (the worse of the two counts), so a request buried in the middle of a 2,000-token prompt is
  still read by the encoder.
"""

from __future__ import annotations

import itertools
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from raikit.guard import features as feat

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

SCREEN_VERSION = "1"
SCREEN_DIM = 1 << 18
SCORE_CACHE = 64
MAX_DECIDED_CHARS = 1024
CHAR_ORDERS = (3, 4, 5)
_SHIFT = np.uint64(64 - 18)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)
_ORDER_SALT = {3: np.uint64(0x1), 4: np.uint64(0x2), 5: np.uint64(0x3)}
_WORD_SALT = 0x5BD1E995

# The most frequent English function words: a text "reads as English" when enough of its words
# are among them (the screen's benign decision is validated on English text only).
_FUNCTION_WORDS = """the a an and or but if of to in on at by for with from as is are was were be been
being it its this that these those i you he she we they me him her us them my your his our their
what which who whom whose how why when where do does did have has had not no can could will would
should may might must shall there here than then so too very just about into over after before
under again all any some more most other such only own same also up out"""
_ENGLISH_WORDS = frozenset(_FUNCTION_WORDS.split())
_WORDS = feat._SPLIT


def reads_as_english(text: str, *, min_share: float = 0.2, min_words: int = 3) -> bool:
    """Whether ``text`` is mostly Latin script and enough of its words are English function words."""
    words = [w for w in _WORDS.split(text[: feat.MAX_FEATURE_CHARS].lower()) if w]
    if len(words) < min_words:
        return False
    if sum(1 for w in words if not w.isascii()) > 0.05 * len(words):
        return False
    return sum(1 for w in words if w in _ENGLISH_WORDS) >= min_share * len(words)


def _char_ngram_hashes(cps: npt.NDArray[np.uint64], order: int) -> npt.NDArray[np.uint64]:
    """Unmixed hashes of the character ``order``-grams of code points ``cps``, one per start."""
    n = max(0, cps.size - order + 1)
    h = np.full(n, _ORDER_SALT[order], dtype=np.uint64)
    for k in range(order if n else 0):
        h += (cps[k : k + n] + np.uint64(1)) * _MULTIPLIERS[k]
    return h


def screen_features(text: str) -> tuple[IntArray, FloatArray]:
    """Sparse hashed features of ``text``: bucket ids and their weights (log tf, L2-normalised).

    Phrasing counts as well as content (dropping function words and punctuation made the screen
    far less decisive); that is harmless here, since an unsure screen only costs an encoder pass."""
    flat = " ".join(feat.cap_text(text).lower().split())
    if not flat:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    cps = np.frombuffer(f" {flat} ".encode("utf-32-le", errors="replace"), dtype=np.uint32).astype(np.uint64)
    hashes = [h for h in (_char_ngram_hashes(cps, order) for order in CHAR_ORDERS) if h.size]
    words = [w for w in _WORDS.split(flat) if w]
    word_ids = [zlib.crc32(w.encode()) for w in words]
    word_ids += [zlib.crc32(f"{a} {b}".encode(), _WORD_SALT) for a, b in itertools.pairwise(words)]
    if word_ids:
        hashes.append(np.array(word_ids, dtype=np.uint64) * _MULTIPLIERS[4])
    h = np.concatenate(hashes)
    h ^= h >> np.uint64(29)
    h *= _MIX
    ids, counts = np.unique((h >> _SHIFT).astype(np.int64), return_counts=True)
    values = np.log1p(counts.astype(np.float32))
    values /= np.float32(np.linalg.norm(values))
    return ids, values


@dataclass(frozen=True)
class ScreenVerdict:
    """The screen's say on one text for one head: ``benign`` when it decides alone (the head's
    encoder is skipped), ``risk`` on the usual scale (``cut_low`` maps to 0.5)."""

    benign: bool
    risk: float
    score: float


class LexicalScreen:
    """Per-head linear models over :func:`screen_features`; see the module docstring."""

    def __init__(self, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]) -> None:
        if meta.get("screen_version") != SCREEN_VERSION:
            from raikit.guard.classifier import HeadLoadError

            raise HeadLoadError(
                f"the lexical screen was trained with version {meta.get('screen_version')!r}, this raikit "
                f"computes version {SCREEN_VERSION!r}; retrain it with `python -m raikit.guard.training`"
            )
        self.meta = dict(meta)
        self.heads: tuple[str, ...] = tuple(meta["heads"])
        self.W = np.asarray(arrays["W"], dtype=np.float32)
        self.b = np.asarray(arrays["b"], dtype=np.float32)
        self.cut_low = np.asarray(arrays["cut_low"], dtype=np.float32)
        if self.W.shape != (len(self.heads), SCREEN_DIM):
            from raikit.guard.classifier import HeadLoadError

            raise HeadLoadError(
                f"screen W has shape {self.W.shape}, expected {(len(self.heads), SCREEN_DIM)}"
            )
        self.window_tokens = int(meta.get("window_tokens", 64))
        self.read_tokens = int(meta.get("read_tokens", 128))
        self._w_all = self.W.sum(axis=0)
        self._scores: OrderedDict[str, FloatArray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, npz: Path, meta_json: Path) -> LexicalScreen:
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(arrays, json.loads(meta_json.read_text(encoding="utf-8")))

    @classmethod
    def load(cls) -> LexicalScreen | None:
        """The shipped screen, or None when the weights folder has none (the heads then always
        run the encoder)."""
        folder = files("raikit.guard").joinpath("weights")
        npz, meta = folder.joinpath("screen.npz"), folder.joinpath("screen.json")
        if not (npz.is_file() and meta.is_file()):
            return None
        with npz.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(arrays, json.loads(meta.read_text(encoding="utf-8")))

    def covers(self, head: str) -> bool:
        return head in self.heads

    def _score_one(self, text: str) -> FloatArray:
        ids, values = screen_features(text)
        out: FloatArray = (self.W[:, ids] @ values + self.b).astype(np.float32, copy=False)
        return out

    def _score_windows(self, text: str) -> FloatArray:
        """The whole text's scores when it is prompt-sized, else the highest score per head over
        overlapping windows of ``read_tokens`` (the screen was fitted on prompts: a long benign
        text drifts upwards as a whole, while a harmful request inside it stands out in its window)."""
        flat = feat.flatten(text, feat.MAX_FEATURE_CHARS)
        if float(feat.token_weights(flat).sum()) <= 1.5 * self.read_tokens:
            return self._score_one(flat)
        spans = feat.chunk_spans(flat, self.read_tokens, self.read_tokens * 3 // 4)
        out: FloatArray = np.max(np.stack([self._score_one(flat[a:b]) for a, b in spans]), axis=0)
        return out

    def score(self, text: str) -> FloatArray:
        """Raw scores of every head of the screen for ``text`` (see :meth:`_score_windows`; the
        last few are cached, so the heads of one rail score a prompt once between them)."""
        with self._lock:
            hit = self._scores.get(text)
        if hit is not None:
            return hit
        out = self._score_windows(text)
        with self._lock:
            self._scores[text] = out
            while len(self._scores) > SCORE_CACHE:
                self._scores.popitem(last=False)
        return out

    def suspicious(self, text: str) -> bool:
        """Whether any head's screen score of ``text`` reaches its ``cut_low``."""
        return bool((self.score(text) >= self.cut_low).any())

    def verdict(self, head: str, text: str) -> ScreenVerdict:
        """Whether the screen decides ``text`` is benign for ``head`` on its own. Texts over
        ``MAX_DECIDED_CHARS`` are not scored: every window would have to pass for both heads,
        which measured benign long prompts almost never do, so scoring them only costs time."""
        if len(text) > MAX_DECIDED_CHARS:
            return ScreenVerdict(benign=False, risk=0.5, score=float("nan"))
        j = self.heads.index(head)
        s = float(self.score(text)[j])
        cut = float(self.cut_low[j])
        risk = float(1.0 / (1.0 + np.exp(min(40.0, cut - s)))) if s < cut else 0.5
        return ScreenVerdict(benign=s < cut and reads_as_english(text), risk=min(risk, 0.499), score=s)

    def hottest_window(self, flat: str, middle: tuple[int, int]) -> str | None:
        """The window of about ``window_tokens`` tokens inside ``middle`` (a character span of the
        flattened text, the part the encoder view leaves out) whose character n-grams carry the
        highest summed screen weight over all heads (one window for every head, so the heads share
        one encoder pass); None when the span is too short to matter."""
        lo, hi = middle
        lowered = flat.lower()
        if hi - lo < 16 or len(lowered) != len(flat):
            return None
        raw = np.frombuffer(lowered[lo:hi].encode("utf-32-le", errors="replace"), dtype=np.uint32)
        cps = raw.astype(np.uint64)
        contrib = np.zeros(cps.size, np.float32)
        for order in CHAR_ORDERS:
            h = _char_ngram_hashes(cps, order)
            h ^= h >> np.uint64(29)
            h *= _MIX
            contrib[: h.size] += self._w_all[(h >> _SHIFT).astype(np.int64)]
        weights = feat.token_weights(lowered[lo:hi])
        width = int(self.window_tokens / max(float(weights.mean()), 1e-3))
        if width >= contrib.size:
            return flat[lo:hi]
        cum = np.concatenate([[0.0], np.cumsum(contrib, dtype=np.float64)])
        sums = cum[width:] - cum[:-width]
        start = lo + int(sums.argmax())
        end = start + width
        left = flat.rfind(" ", lo, start + 1)
        right = flat.find(" ", end, min(hi, end + 30))
        return flat[(left + 1 if left >= 0 else start) : (right if right >= 0 else end)]
