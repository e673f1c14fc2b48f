"""Input rail scanner: corrupted or obfuscated input.

Finds invisible and bidi characters (and the text hidden in tag characters or variation
selectors), lookalike letters from other scripts (:mod:`raikit.guard.normalize`), encoded
payloads: base64, hex, binary, URL, HTML and ``\\u`` escapes, Morse, rot-n, reversal,
leetspeak, spelled-out letters (:mod:`raikit.guard.decoders`), and GCG-style adversarial
suffixes and gibberish (scored here). It normalises the text (``sanitized``) and publishes every
decoded layer in ``details["decoded"]`` as ``{"method", "text"}`` so that the pipeline re-scans
them with the other scanners: an encoded payload alone is only a moderate signal, what it says
decides.

Work is bounded: normalisation is linear in the text; decoders and the suffix score read at most
the first and last ``window`` characters.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from raikit.guard.decoders import COMMON_WORDS, Decoded, decode_layers, english_share
from raikit.guard.normalize import scan_homoglyphs, scan_invisible
from raikit.guard.resources import Resources
from raikit.guard.scanners.base import scanner_factory
from raikit.guard.types import ScanContext, ScanInput, ScanResult, last_user_text, text_of

CATEGORIES = (
    "obfuscation.invisible",
    "obfuscation.homoglyph",
    "obfuscation.encoding",
    "obfuscation.adversarial_suffix",
)
MAX_VARIANTS = 5
MAX_VARIANT_CHARS = 4000
MAX_DECODED_REPORTED = 12

# Methods that are weaker evidence on their own: they also catch playful or typographic text.
_WEAK_METHODS = frozenset({"leetspeak", "separators"})
# Words that ask for a decoding, separated by "|".
_DECODE_WORDS = (
    "decode|decrypt|decipher|base64|base 64|hex|rot13|rot-13|rot 13|caesar|cipher|morse|binary|backwards"
    "|reverse|leet|unscramble|encoded|execute|follow"
)
_ASKS_TO_DECODE = tuple(_DECODE_WORDS.split("|"))

# -- adversarial suffixes and gibberish ----------------------------------------------------------

# Our own English prose, only used to estimate letter-pair frequencies.
_ENGLISH_SAMPLE = """
The quick brown fox jumps over the lazy dog while the children watch from the garden. Most people
agree that a good morning starts with a warm cup of coffee and a few quiet minutes before work.
When you write a letter to a friend, you should think about what they would like to hear and tell
them something true about your life. The weather in the north of the country changes quickly, so
travellers are always advised to carry a coat, even in the middle of summer. Scientists have
studied the behaviour of birds for many years and found that they learn songs from their parents.
Please explain how the system works and which steps we need to follow to install the new version.
There is nothing more important than understanding the problem before trying to solve it. Our
company builds software that helps small businesses manage their orders, payments and customers.
The history of the city goes back more than a thousand years, and its old streets are full of
stories about kings, merchants, soldiers and ordinary families who lived through hard times.
She opened the window, looked at the mountains in the distance and decided to go for a long walk.
Education should prepare students to think for themselves, work together and take responsibility.
Thank you for your patience; we will send the documents as soon as the review has been completed.
""".lower()


def _bigram_table(sample: str, k: float = 0.5) -> dict[str, float]:
    words = re.findall(r"[a-z]+", sample)
    counts: dict[str, int] = {}
    starts: dict[str, int] = {}
    for word in words:
        padded = f" {word} "
        for pair in map(str.__add__, padded, padded[1:]):
            counts[pair] = counts.get(pair, 0) + 1
            starts[pair[0]] = starts.get(pair[0], 0) + 1
    alphabet = " abcdefghijklmnopqrstuvwxyz"
    return {
        a + b: math.log((counts.get(a + b, 0) + k) / (starts.get(a, 0) + k * len(alphabet)))
        for a in alphabet
        for b in alphabet
    }


_BIGRAMS = _bigram_table(_ENGLISH_SAMPLE)


def bigram_logprob(words: list[str]) -> float:
    """Mean natural-log probability per letter pair under the English model (0.0 for no words).
    ``words`` must be lowercase ASCII letters, as :func:`latin_words` returns them."""
    joined = " " + " ".join(words) + " "
    pairs = len(joined) - 1
    return sum(map(_BIGRAMS.__getitem__, map(str.__add__, joined, joined[1:]))) / pairs if pairs > 1 else 0.0


_LATIN_WORD = re.compile(r"\b[a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f]{2,20}\b")


_LETTER_FOLDS = "ss ae oe o l i d h t l k n n s d th"


def _accent_table() -> dict[int, str]:
    """Latin-1 and Latin Extended-A letters mapped to unaccented ASCII, for the bigram model."""
    folds = dict(zip("ßæœøłıđħŧŀĸŉŋſðþ", _LETTER_FOLDS.split(), strict=True))
    table = {ord(k): v for k, v in folds.items()}
    for cp in range(0xC0, 0x180):
        ch = chr(cp).lower()
        if cp in table or not ch.isalpha():
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isalpha())
        table.setdefault(cp, base.lower() or "e")
    return table


_FOLD_ACCENTS = _accent_table()


def latin_words(text: str) -> list[str]:
    """Whole words of 2 to 20 Latin letters (no digits, no marks), lowercased and unaccented."""
    words: list[str] = _LATIN_WORD.findall(text.lower())
    return words if text.isascii() else [w if w.isascii() else w.translate(_FOLD_ACCENTS) for w in words]


# Adversarial suffixes (GCG and kin) glue real words to punctuation in ways prose and code do
# not. Code is taken out first (fences, inline spans, math, tags, lines that parse as code).
_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]{1,200}`")
_MATH = re.compile(r"\$\$.{1,2000}?\$\$|\$[^$\n]{1,300}\$|\\\(.{1,300}?\\\)|\\\[.{1,2000}?\\\]", re.S)
_CODE_LINE = re.compile(
    r"\s*(?:[\[{]|\"[^\"]*\"\s*:|[\]}]|(?:def|class|function|func|fn)\s+\w+\s*[(:<]"
    r"|(?:from\s+[\w.]+\s+)?import\s+[\w.*, ]+$"
    r"|(?:if|elif|else|for|while|try|except|with|switch|case)\b.*:\s*$"
    r"|(?:return|print)\b.*[)\w\]]\s*$|[\w.\[\]\"']+\s*(?:[-+*/]?=|:=)\s*[^=\s]"
    r"|#include|#define|\$ |>>> |SELECT |INSERT |UPDATE )"
)
_L_WRAP = "([{\"'\u201c\u2018\u00ab\u00bf\u00a1*_`<|$#"
_R_WRAP = ")]}\"'\u201d\u2019\u00bb.,;:!?*_`>\u2026|"
_HTML_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]{0,200})?/?>")
# Regular expressions and emoticons: dense punctuation that is nonetheless ordinary.
_PLAIN_DENSE = re.compile(
    r".*(?:\\[dDwWsSbB]|\{\d+(?:,\d*)?\}|\[[^\]\s]+\][+*?{]|\(\?[:=!<]).*"
    r"|[:;=8xX]['\-^o]?[()\[\]DPpOo3/\\|*@$]{1,2}|[\^><oO0TtuU\-=;.@*][_\-.,][\^><oO0TtuU\-=;.@*]"
)
_NORMAL_TOKEN = re.compile(
    r"[A-Za-z]+(?:['\u2019\-.&/][A-Za-z]+)*"
    r"|[#$\u20ac\u00a3+\-~]?\d[\d.,:/%\-x]*[A-Za-z%\u00b0]{0,4}"
    r"|(?:[a-z][a-z0-9+.\-]*://|www\.)\S*|[\w.+\-]+@[\w\-]+\.[\w.\-]+|[@#]\w+|[~.]{0,2}/[\w./\-]*"
    r"|[A-Za-z_]\w*(?:(?:\.|::|->)[A-Za-z_]\w*)*(?:\([^()\s]*\))?|--?[\w\-]+(?:=\S*)?"
    r"|[\w.\-]+=[\"']?[\w.\-/:]*[\"']?|[A-Za-z](?:\+\+|#)|[A-Za-z]:\\\S*|\w+(?:[\-.:]\w+)*"
    r"|\\[A-Za-z]+[\w{}\[\]^=+\-*/().,]*|(?=.*[\d^_=])[\w^{}()+\-/=.,]+|\S*://\S*"
)
_STRAY_BACKSLASH = re.compile(r"\\(?![A-Za-z])")
_ODD_CASE = re.compile(r"^[a-z]{4,}[A-Z]|[a-z]{4,}[A-Z]{2,}|[A-Z][a-z]+[A-Z]{2,}[a-z]")
_PLAIN_PUNCT_LIST = "-- --- ... .. ?! !? !! ?? :) :( :-) :-( ;) -> <- => <= >= == != ** *** ## ### ^^ <3"
_PLAIN_PUNCT = frozenset(_PLAIN_PUNCT_LIST.split())
_UNUSUAL = "\\{}[]<>^~|*=+@%"


def _token_weight(token: str) -> float:
    """0 for an ordinary token, up to 1.5 for a word glued to stray punctuation."""
    core = token.lstrip(_L_WRAP).rstrip(_R_WRAP)
    if not core or len(core) > 100 or not core.isascii():
        return 0.0
    if core.isalpha():
        plain_case = core.islower() or core.istitle() or core.isupper()
        return 0.0 if plain_case or not _ODD_CASE.search(core) else 0.5
    weight = 0.5 if _STRAY_BACKSLASH.search(core) else 0.0
    if not any(c.isalnum() for c in core):
        plain = (
            len(set(core)) == 1
            or core in _PLAIN_PUNCT
            or not core.strip("|-:+=")
            or not core.strip(".-")
            or _PLAIN_DENSE.fullmatch(core)
        )
        return weight + (0.0 if plain else 0.5)
    if _NORMAL_TOKEN.fullmatch(core) or _PLAIN_DENSE.fullmatch(core):
        return weight + (0.5 if _ODD_CASE.search(core) else 0.0)
    return weight + 1.0


def _densest(weights: list[float]) -> float:
    """Largest mean weight over windows of 8, 16 and 32 tokens (shorter inputs count as 8)."""
    prefix = [0.0]
    for w in weights:
        prefix.append(prefix[-1] + w)
    best = 0.0
    for size in (8, 16, 32):
        span = min(size, len(weights))
        best = max(
            best, max(prefix[i + span] - prefix[i] for i in range(len(weights) - span + 1)) / max(size, 8)
        )
    return best


def _punct_run(tokens: list[str]) -> int:
    run = longest = 0
    for token in tokens:
        run = run + 1 if len(token) == 1 and not token.isalnum() else 0
        longest = max(longest, run)
    return longest


def _is_code_line(line: str) -> bool:
    return (
        line.rstrip().endswith((";", "{", "}"))
        or line.startswith(("    ", "\t"))
        or bool(_CODE_LINE.match(line))
    )


def _prose(text: str) -> str:
    """``text`` without fenced or inline code, math, HTML tags and lines that read as code."""
    if "```" in text or "~~~" in text:
        text = _FENCE.sub("\n", text)
    if "$" in text or "\\(" in text or "\\[" in text:
        text = _MATH.sub(" ", text)
    if "`" in text:
        text = _INLINE_CODE.sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return "\n".join(line for line in text.splitlines() if not _is_code_line(line))


def _ramp(value: float, zero: float, one: float) -> float:
    return min(1.0, max(0.0, (value - zero) / (one - zero)))


def _common_share(words: list[str]) -> float:
    return sum(map(COMMON_WORDS.__contains__, words)) / len(words) if words else 0.0


def gibberish_score(text: str, *, min_letters: int = 40) -> float:
    """How far the Latin words of ``text`` fall below even consonant-heavy languages (Polish,
    Welsh) on English letter-pair statistics: random letters, keyboard mash."""
    words = latin_words(text)
    if sum(map(len, words)) < min_letters or _common_share(words) >= 0.2:
        return 0.0
    return _ramp(-bigram_logprob(words), 3.65, 4.05)


def _tail_gibberish(tokens: list[str]) -> float:
    """A tail much less language-like than the request before it (random-token suffixes)."""
    tail = latin_words(" ".join(tokens[-8:]))
    if sum(map(len, tail)) < 20 or _common_share(tail) >= 0.25:
        return 0.0
    head = latin_words(" ".join(tokens[-100:-8]))
    if sum(map(len, head)) < 20:
        return 0.0
    tail_lp = bigram_logprob(tail)
    return _ramp(bigram_logprob(head) - tail_lp, 0.5, 1.1) if tail_lp < -3.3 else 0.0


def adversarial_suffix_score(text: str, *, window: int = 8192) -> float:
    """Likelihood in [0, 1] that ``text`` carries a GCG-style adversarial string or gibberish.

    Tokens are weighted by how oddly they glue letters to punctuation; the score follows the
    densest window of the last 64 tokens, or of all tokens when unusual symbols abound.
    """
    if len(text) > 2 * window:
        text = text[:window] + "\n" + text[-window:]
    prose = _prose(text)
    tokens = prose.split()
    if len(tokens) < 4:
        return 0.0
    scope = tokens[:2000] if sum(map(prose.count, _UNUSUAL)) >= 3 else tokens[-64:]
    raw = _densest([_token_weight(t) for t in scope]) + (0.4 if _punct_run(scope) >= 6 else 0.0)
    suffix = max(_ramp(raw, 0.13, 0.37), 0.8 * _tail_gibberish(tokens))
    return suffix if english_share(text) >= 0.2 else max(suffix, 0.6 * gibberish_score(prose[:1500]))


# -- the scanner ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """Everything the scanner found in one text."""

    normalized: str
    decoded: tuple[Decoded, ...]
    scores: dict[str, float]
    details: dict[str, Any] = field(default_factory=dict)


def _asks_to_decode(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in _ASKS_TO_DECODE)


def _prose_like(text: str) -> bool:
    """Words rather than structured data: most characters letters, several words or non-Latin."""
    body = "".join(text.split())
    letters = sum(c.isalpha() for c in body)
    if not body or letters < 0.6 * len(body):
        return False
    return len(text.split()) >= 2 or sum(c.isalpha() and not c.isascii() for c in body) >= 4


def _encoding_score(decoded: tuple[Decoded, ...], asks_to_decode: bool) -> float:
    best = 0.0
    for layer in decoded:
        methods = layer.method.split(">")
        if methods[0] in ("unicode_tags", "variation_selectors"):
            continue
        score = 0.6 if _prose_like(layer.text) else 0.4
        if all(m in _WEAK_METHODS for m in methods):
            score -= 0.1
        if len(methods) > 1:
            score += 0.15
        if asks_to_decode:
            score += 0.1
        best = max(best, score)
    return best


def _saturating(count: int, first: float, step: float, cap: float) -> float:
    """``first`` for one finding, approaching ``cap`` as findings add up."""
    return 0.0 if count <= 0 else min(cap, cap - (cap - first) * (1.0 - step) ** (count - 1))


class ObfuscationScanner:
    """Detects, normalises and decodes obfuscated text (see the module docstring)."""

    name = "obfuscation"

    def __init__(
        self,
        *,
        min_base64_len: int = 16,
        max_depth: int = 3,
        suffix_threshold: float = 0.0,
        threshold: float = 0.5,
        window: int = 8192,
    ) -> None:
        self.min_base64_len = max(8, int(min_base64_len))
        self.max_depth = max(0, min(5, int(max_depth)))
        self.suffix_threshold = float(suffix_threshold)
        self.threshold = float(threshold)
        self.window = max(256, int(window))
        self._cached = functools.lru_cache(maxsize=32)(self._analyse)

    def analyse(self, text: str) -> Analysis:
        """The findings for ``text`` (cached by text; deterministic)."""
        return self._cached(text)

    def _analyse(self, text: str) -> Analysis:
        invisible = scan_invisible(text)
        homoglyphs = scan_homoglyphs(invisible.text)
        normalized = homoglyphs.text
        truncated = len(normalized) > 2 * self.window
        bounded = normalized[: self.window] + "\n" + normalized[-self.window :] if truncated else normalized
        layers: list[Decoded] = []
        for method, payload in invisible.hidden:
            layers.append(Decoded(method, payload))
            layers.extend(
                Decoded(f"{method}>{d.method}", d.text)
                for d in decode_layers(payload, self.max_depth - 1, min_base64_len=self.min_base64_len)
            )
        layers.extend(decode_layers(bounded, self.max_depth, min_base64_len=self.min_base64_len))
        first: dict[str, Decoded] = {}
        for layer in layers:
            first.setdefault(layer.text, layer)
        decoded = tuple(first.values())[:MAX_DECODED_REPORTED]

        invisible_score = _saturating(invisible.removed, 0.4, 0.4, 0.9)
        if invisible.bidi:
            invisible_score = max(invisible_score, 0.7)
        if invisible.hidden:
            invisible_score = 0.95
        homoglyph_score = max(
            _saturating(homoglyphs.mixed_words + homoglyphs.spoofed_words, 0.7, 0.5, 0.95),
            _saturating(homoglyphs.decorated_words, 0.55, 0.3, 0.75),
        )
        suffix = adversarial_suffix_score(bounded)
        scores = {
            "obfuscation.invisible": invisible_score,
            "obfuscation.homoglyph": homoglyph_score,
            "obfuscation.encoding": _encoding_score(decoded, bool(decoded) and _asks_to_decode(bounded)),
            "obfuscation.adversarial_suffix": suffix if suffix >= self.suffix_threshold else 0.0,
        }
        details: dict[str, Any] = {
            "invisible_removed": invisible.removed,
            "bidi_controls": invisible.bidi,
            "homoglyphs_folded": homoglyphs.folded,
            "mixed_script_words": homoglyphs.mixed_words,
            "spoofed_words": homoglyphs.spoofed_words,
            "decorated_words": homoglyphs.decorated_words,
            "suffix_score": round(suffix, 4),
            "truncated": truncated,
        }
        return Analysis(normalized, decoded, scores, details)

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        """Judge the user's latest turn on the input rail, the whole text otherwise."""
        text = last_user_text(data) if context.stage == "input" else text_of(data)
        found = self.analyse(text)
        return ScanResult.from_scores(
            self.name,
            dict(found.scores),
            threshold=self.threshold,
            sanitized=found.normalized if found.normalized != text else None,
            decoded=[{"method": d.method, "text": d.text[:MAX_VARIANT_CHARS]} for d in found.decoded],
            methods=sorted({m for d in found.decoded for m in d.method.split(">")}),
            **found.details,
        )

    def variants(self, text: str) -> list[str]:
        """Texts to re-scan besides ``text`` itself: the normalised text when it differs, then the
        decoded layers; deduplicated, at most ``MAX_VARIANTS``, each cut to ``MAX_VARIANT_CHARS``."""
        found = self.analyse(text)
        candidates = [found.normalized, *(d.text for d in found.decoded)]
        unique = dict.fromkeys(c[:MAX_VARIANT_CHARS] for c in candidates if c.strip())
        unique.pop(text[:MAX_VARIANT_CHARS], None)
        return list(unique)[:MAX_VARIANTS]


@scanner_factory(
    "obfuscation",
    stages=("input", "output"),
    description="Invisible characters, homoglyphs, encoded payloads and adversarial suffixes; "
    "normalises and decodes them for the other scanners",
    categories=CATEGORIES,
)
def obfuscation_scanner(settings: Mapping[str, Any], resources: Resources) -> ObfuscationScanner:
    """Settings: ``min_base64_len`` (16), ``max_depth`` (3), ``suffix_threshold`` (0: suffix
    scores below it are reported as 0), ``threshold`` (0.5, for ``valid``), ``window`` (8192)."""
    return ObfuscationScanner(
        min_base64_len=int(settings.get("min_base64_len", 16)),
        max_depth=int(settings.get("max_depth", 3)),
        suffix_threshold=float(settings.get("suffix_threshold", 0.0)),
        threshold=float(settings.get("threshold", 0.5)),
        window=int(settings.get("window", 8192)),
    )
