"""Decoders for encoded or disguised payloads, applied recursively by :func:`decode_layers`.

Every decoder finds candidate spans with a precompiled, linear-time regex (behind a cheap
necessary condition, so ordinary prose costs little) and keeps a decoding only when the result
reads as text: valid UTF-8, printable, mostly letters. Hashes, UUIDs, binary blobs and ordinary
numbers therefore fall through. The ciphers without a syntax of their own (rot-n, reversal,
leetspeak) are accepted only when they turn enough words into common English words that the
original did not contain, using a built-in list of about 350 such words.

Method names (stable, used in the scanner's details): ``base64``, ``hex``, ``binary``, ``url``,
``html_entities``, ``unicode_escape``, ``morse``, ``reversed``, ``leetspeak``, ``separators``
and ``rot1`` .. ``rot25`` (``rot13`` for ROT13).
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import itertools
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_SPANS = 8
MAX_DECODED_CHARS = 8192
MAX_LAYERS = 16

_COMMON_WORDS = """
    a about above across after again against all almost also always am an and another answer any anyone
    anything are around as ask at away back bad be because become been before being below best better
    between big both bring build but buy by call can cannot car case change child children city come could
    country create day days delete did different do does doing done down during each early easy end enough
    even ever every everything example explain eye face fact family far feel few find first follow for
    found friend from full get give go going good great group hand has have he head hello help her here
    high him his home house how however i if ignore important in information instructions into is it its
    just keep kill kind know large last later learn leave left less let life like line list little live
    long look lot make man many may me mean message might money more most mother move much must my name
    need never new next night no not nothing now number of off often old on once one only open or order
    other our out over own part people person place plan play please point possible power previous problem
    program prompt public put question quickly read real really right room rules run said same say school
    secret see seem send set she should show side since small so some someone something sometimes start
    state step steps still stop story student study such sure system take talk teach tell than thank that
    the their them then there these they thing things think this those though thought three through time
    to today together too tool try turn two under understand until up us use used user very want war was
    water way we weapon week well were what when where which while who whole why will with without woman
    word words work world would write year years yes yet you young your
"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())

_ASCII_WORD = re.compile(r"\b[A-Za-z]+\b")


@dataclass(frozen=True, slots=True)
class Decoded:
    """One decoded layer: ``method`` names the chain outermost first (``"hex>base64"``)."""

    method: str
    text: str


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_LETTER = re.compile(r"[^\W\d_]")
# A decoded layer that is itself hex, binary or Morse: kept so that the next layer can decode it.
_ENCODED_LAYER = re.compile(r"[0-9A-Fa-fxX\\\s.,:;/|-]+")


def looks_like_text(text: str, *, min_len: int = 4) -> bool:
    """Printable, mostly letters: what a decoded natural-language payload looks like."""
    stripped = text.strip()
    n = len(stripped)
    if n < min_len or len(_CONTROL.findall(stripped)) > 0.05 * n:
        return False
    if len(_LETTER.findall(stripped)) >= 0.4 * len(stripped.replace(" ", "")):
        return True
    return n >= 8 and _ENCODED_LAYER.fullmatch(stripped) is not None


def _bytes_to_text(data: bytes) -> str | None:
    try:
        text = data[:MAX_DECODED_CHARS].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if looks_like_text(text) else None


def _collect(pattern: re.Pattern[str], text: str, convert: Callable[[str], str | None]) -> list[str]:
    """``convert`` applied to each distinct match of ``pattern``; the texts it accepts (capped)."""
    out: list[str] = []
    tried: set[str] = set()
    for match in pattern.finditer(text):
        span = match.group()
        if span not in tried:
            tried.add(span)
            decoded = convert(span[: 4 * MAX_DECODED_CHARS])
            if decoded is not None:
                out.append(decoded)
                if len(out) >= MAX_SPANS:
                    break
    return out


@functools.lru_cache(maxsize=8)
def _base64_pattern(min_len: int) -> re.Pattern[str]:
    return re.compile(r"[A-Za-z0-9+/_\-]{" + str(min_len) + r",}={0,2}")


def _from_base64(span: str) -> str | None:
    span = span.rstrip("=").replace("-", "+").replace("_", "/")
    span = span[:-1] if len(span) % 4 == 1 else span
    try:
        return _bytes_to_text(base64.b64decode(span + "=" * (-len(span) % 4), validate=True))
    except (binascii.Error, ValueError):
        return None


def decode_base64(text: str, min_len: int = 16) -> list[str]:
    """Standard and URL-safe base64 spans of at least ``min_len`` characters that decode to text."""
    return _collect(_base64_pattern(max(8, min_len)), text, _from_base64)


# The hint is a cheap necessary condition: it begins with a digit, which ``re`` can skip to.
_HEX_SPAN = re.compile(r"(?<![0-9A-Za-z\\])(?:(?:0[xX]|\\x)?[0-9A-Fa-f]{2}[ ,:;\-]{0,2}){6,}")
_HEX_HINT = re.compile(
    r"[0-9][0-9A-Fa-f]?[ ,:;\-]{0,2}(?:0[xX]|\\x)?[0-9A-Fa-f]{2}[ ,:;\-]{0,2}(?:0[xX]|\\x)?[0-9A-Fa-f]{2}"
)
_HEX_PAIR = re.compile(r"(?:0[xX]|\\x)?([0-9A-Fa-f]{2})")


def _from_hex(span: str) -> str | None:
    decoded = _bytes_to_text(bytes.fromhex("".join(_HEX_PAIR.findall(span))))
    return decoded if decoded is not None and any(c.isalpha() for c in decoded) else None


def decode_hex(text: str) -> list[str]:
    """Hex byte strings, contiguous or separated (``68 6f 77``, ``0x68,0x6f``, ``\\x68\\x6f``)."""
    return _collect(_HEX_SPAN, text, _from_hex) if _HEX_HINT.search(text) else []


_BINARY_SPAN = re.compile(r"(?<![0-9])[01]{8}(?:[ ,;]?[01]{8}){3,}(?![0-9])")
_BINARY_BYTE = re.compile(r"[01]{8}")
_BINARY_HINT = re.compile(r"[01][01][01][01][01][01][01][01]")  # unrolled: ``re`` skips to a [01]


def decode_binary(text: str) -> list[str]:
    """Runs of 8-bit groups (``01101000 01101111 ...``)."""
    if not _BINARY_HINT.search(text):
        return []
    return _collect(
        _BINARY_SPAN, text, lambda s: _bytes_to_text(bytes(int(b, 2) for b in _BINARY_BYTE.findall(s)))
    )


# Percent-, entity- and backslash-escapes of ASCII letters and digits are never needed, so three or
# more of them are a disguise; escapes of other characters are ordinary URL, HTML or JSON.
_URL_TOKEN = re.compile(r"(?<!\S)\S*%[0-9A-Fa-f]{2}\S*")
_URL_ALNUM = re.compile(r"%(?:3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa])")
_ENTITY_SPAN = re.compile(r"(?:&#(?:[0-9]{2,7}|[xX][0-9A-Fa-f]{2,6});){3,}")
_ESCAPE_SPAN = re.compile(r"(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}){3,}")
_ESCAPE_ONE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def _spelled_alnum(decoded: str) -> str | None:
    enough = sum(c.isascii() and c.isalnum() for c in decoded) >= 3
    return decoded if enough and looks_like_text(decoded) else None


def decode_url(text: str) -> list[str]:
    """URL-encoded tokens that percent-encode at least three ASCII letters or digits."""
    if text.count("%") < 3:
        return []
    return _collect(
        _URL_TOKEN,
        text,
        lambda s: _spelled_alnum(urllib.parse.unquote(s)) if len(_URL_ALNUM.findall(s)) >= 3 else None,
    )


def decode_html_entities(text: str) -> list[str]:
    """Runs of numeric HTML character references that spell ASCII letters or digits."""
    return _collect(_ENTITY_SPAN, text, lambda s: _spelled_alnum(html.unescape(s))) if "&#" in text else []


def _unescape(span: str) -> str:
    def one(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF else "\ufffd"

    return _ESCAPE_ONE.sub(one, span).encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def decode_unicode_escapes(text: str) -> list[str]:
    r"""Runs of ``\uXXXX`` / ``\UXXXXXXXX`` escapes that spell ASCII letters or digits."""
    if "\\u" not in text and "\\U" not in text:
        return []
    return _collect(_ESCAPE_SPAN, text, lambda s: _spelled_alnum(_unescape(s)))


_MORSE_CODES = (
    "a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- "
    "u..- v...- w.-- x-..- y-.-- z--.. 0----- 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. "
    "9----. ..-.-.- ,--..-- ?..--.. '.----. !-.-.-- (-.--. )-.--.- &.-... :---... ;-.-.-. =-...- +.-.-. "
    '"-.-..-. @.--.-.'
)
MORSE = {item[1:]: item[0] for item in _MORSE_CODES.split()}
_MORSE_SPAN = re.compile(r"(?<![\w.\-])[.\-]{1,7}(?:(?: {1,3}| *[/|] *)[.\-]{1,7}){3,}(?![\w.\-])")
_MORSE_ALT_CHARS = "\u00b7\u2022\u2219\u22c5\u2212\u2013\u2014"
_MORSE_FOLD = str.maketrans(
    dict.fromkeys("\u00b7\u2022\u2219\u22c5", ".") | dict.fromkeys("\u2212\u2013\u2014", "-")
)
_MORSE_HINT = re.compile(r"[.\-][.\-]{0,6}(?: {1,3}| *[/|] *)[.\-][.\-]{0,6}(?: {1,3}| *[/|] *)[.\-]")
_MORSE_WORD_BREAK = re.compile(r" *[/|] *| {2,}")


def _from_morse(span: str) -> str | None:
    words = [[MORSE.get(code, "") for code in word.split()] for word in _MORSE_WORD_BREAK.split(span.strip())]
    codes = [letter for word in words for letter in word]
    decoded = " ".join("".join(word) for word in words if any(word))
    alpha = [c for c in decoded if c.isalpha()]
    valid = codes.count("") <= 0.1 * len(codes) and len(alpha) >= 4 and len(set(alpha)) >= 2
    return decoded if valid else None


def decode_morse(text: str) -> list[str]:
    """International Morse with letters split by spaces and words by ``/``, ``|`` or wide gaps."""
    if any(c in text for c in _MORSE_ALT_CHARS):
        text = text.translate(_MORSE_FOLD)
    if not _MORSE_HINT.search(text):
        return []
    return _collect(_MORSE_SPAN, text, _from_morse)


_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ROT_LOWER = [str.maketrans(_LOWER, _LOWER[n:] + _LOWER[:n]) for n in range(26)]
_ROT_BOTH = [
    str.maketrans(_LOWER + _UPPER, _LOWER[n:] + _LOWER[:n] + _UPPER[n:] + _UPPER[:n]) for n in range(26)
]


def _shift_index() -> dict[str, tuple[int, ...]]:
    """Every Caesar encoding of every common word (two letters or more), with its shift."""
    index: dict[str, list[int]] = {}
    for word in COMMON_WORDS:
        for shift in range(1, 26) if len(word) >= 2 else ():
            index.setdefault(word.translate(_ROT_LOWER[26 - shift]), []).append(shift)
    return {encoded: tuple(shifts) for encoded, shifts in index.items()}


_SHIFTED = _shift_index()
_BACKWARDS = frozenset(w[::-1] for w in COMMON_WORDS if len(w) >= 2)


def _accept(hits: list[int], words: Sequence[str], n_unknown: int) -> bool:
    """Enough words (three, one of three letters or more, 40% of the unknown ones) turned English."""
    longest = max((len(words[i]) for i in hits), default=0)
    return len(hits) >= 3 and longest >= 3 and len(hits) >= 0.4 * n_unknown


@functools.lru_cache(maxsize=16)
def _words(head: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The first 300 ASCII words of ``head``, lowercased, and the indexes of the uncommon ones."""
    words = tuple(_ASCII_WORD.findall(head.lower())[:300])
    return words, tuple(i for i, w in enumerate(words) if w not in COMMON_WORDS)


def english_share(text: str) -> float:
    """Share of the (first 300) words of ``text`` that are common English words."""
    words, unknown = _words(text[:4000])
    return 1.0 - len(unknown) / len(words) if words else 0.0


def decode_rot(text: str) -> list[tuple[str, str]]:
    """Caesar shifts (ROT13 among them) of the non-English stretch of ``text``, as (method, text)."""
    words, unknown = _words(text[:4000])
    counts = [0] * 26
    for i in unknown:
        for shift in _SHIFTED.get(words[i], ()):
            counts[shift] += 1
    shift = max(range(26), key=counts.__getitem__)
    hits = [i for i in unknown if shift in _SHIFTED.get(words[i], ())]
    if not _accept(hits, words, len(unknown)):
        return []
    first, last = hits[0], hits[-1]
    while first > 0 and words[first - 1] not in COMMON_WORDS:
        first -= 1
    while last + 1 < len(words) and words[last + 1] not in COMMON_WORDS:
        last += 1
    spans = [m.span() for m in itertools.islice(_ASCII_WORD.finditer(text[:4000]), last + 1)]
    return [(f"rot{shift}", text[spans[first][0] : spans[last][1]].translate(_ROT_BOTH[shift]))]


def decode_reversed(text: str) -> list[str]:
    """Text written backwards, whole (``bmob a``) or word by word (``woh ot``)."""
    head = text[:4000]
    words, unknown = _words(head)
    if not _accept([i for i in unknown if words[i] in _BACKWARDS], words, len(unknown)):
        return []
    backwards = [w[::-1] for w in words]
    whole, per_word = head[::-1], _ASCII_WORD.sub(lambda m: m.group()[::-1], head)
    whole_score = _word_order(backwards[::-1]) + len(_PUNCT_BEFORE.findall(head))
    per_word_score = _word_order(backwards) + len(_PUNCT_AFTER.findall(head))
    return [whole if whole_score > per_word_score else per_word]


_OPENERS = (
    "a an the to of in on at for with from by into my your his her our their this how what why when where"
    " who which please tell can could would write give explain i you is are do does show list ignore forget"
)
_FUNCTION_WORDS = frozenset(_OPENERS.split())
_PUNCT_BEFORE = re.compile(r"(?<!\S)[.,?!;:]+[A-Za-z]")
_PUNCT_AFTER = re.compile(r"[A-Za-z][.,?!;:]+(?!\S)")


def _word_order(words: Sequence[str]) -> int:
    """English requests tend to open with a function word and end with a content word."""
    return (words[0] in _FUNCTION_WORDS) + (words[-1] not in _FUNCTION_WORDS) if words else 0


_LEET_CHAR = re.compile(r"[0-9@$](?:(?=[A-Za-z])|(?<=[A-Za-z].))")
_LEET_RUN = re.compile(r"[A-Za-z0-9@$]*")
_LEET_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@$")
_LEET_I, _LEET_L = str.maketrans("4310@$5789", "aeioasstbg"), str.maketrans("4310@$5789", "aeloasstbg")
_LEET_UNMAPPED = re.compile(r"[26]")


def _leet_spans(text: str) -> list[tuple[int, int]]:
    """Tokens of 2 to 24 letters, digits, ``@`` and ``$`` holding a letter and a non-letter, found
    from a digit next to a letter (rare in prose, so ``re`` skips to it) rather than word by word."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(spans) <= 200 and (match := _LEET_CHAR.search(text, pos)) is not None:
        lo = match.start()
        while lo > 0 and text[lo - 1] in _LEET_ALPHABET and match.start() - lo < 24:
            lo -= 1
        found = _LEET_RUN.match(text, match.start())
        pos = found.end() if found else match.end()
        token = text[lo:pos]
        bounded = lo == 0 or text[lo - 1] not in _LEET_ALPHABET
        if bounded and 2 <= len(token) <= 24 and not token.isdigit() and any(c.isalpha() for c in token):
            spans.append((lo, pos))
    return spans


def decode_leetspeak(text: str) -> list[str]:
    """Words that mix letters with 4 3 1 0 5 7 8 9 @ $ and read as English once mapped back."""
    spans = _leet_spans(text)
    hits = 0
    replacements: dict[str, str] = {}
    for lo, hi in spans:
        token = text[lo:hi]
        if token in replacements or _LEET_UNMAPPED.search(token):
            continue
        lower = token.lower()
        as_i, as_l = lower.translate(_LEET_I), lower.translate(_LEET_L)
        choice = as_l if as_l in COMMON_WORDS and as_i not in COMMON_WORDS else as_i
        hits += choice in COMMON_WORDS and len(choice) >= 2
        replacements[token] = choice
    if hits < max(2, 0.3 * len(replacements)):
        return []
    parts: list[str] = []
    last = 0
    for lo, hi in spans:
        parts += [text[last:lo], replacements.get(text[lo:hi], text[lo:hi])]
        last = hi
    return ["".join([*parts, text[last:]])]


_SPELLED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z](?:[\-._*/|+~\\ ]{1,3}[A-Za-z](?![A-Za-z0-9])){3,}")
_SPELLED_HINT = re.compile(
    r"[\-._*/|+~\\ ][A-Za-z][\-._*/|+~\\ ]{1,3}[A-Za-z][\-._*/|+~\\ ]{1,3}[A-Za-z](?![A-Za-z0-9])"
)
_SPELLED_SEPARATORS = re.compile(r"[\-._*/|+~\\]")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,5}[A-Z]?\.?")


def decode_separators(text: str) -> list[str]:
    """Letters split by separators (``b-o-m-b``, ``b.o.m.b``, ``b o m b``), collapsed back."""
    if not _SPELLED_HINT.search(" " + text):
        return []
    found = False

    def collapse(match: re.Match[str]) -> str:
        nonlocal found
        span = match.group()
        if _ABBREVIATION.fullmatch(span) or (span.isupper() and not _SPELLED_SEPARATORS.search(span)):
            return span
        if _SPELLED_SEPARATORS.search(span):
            words = _SPELLED_SEPARATORS.sub("", span).split()
        else:
            words = [w.replace(" ", "") for w in re.split(r" {2,}", span)]
        letters = "".join(words).lower()
        run = all(ord(b) - ord(a) == 1 for a, b in itertools.pairwise(letters))
        if len(letters) < 4 or run or not set(letters) & set("aeiouy") or max(map(len, words)) < 3:
            return span
        found = True
        return " ".join(words)

    collapsed = _SPELLED.sub(collapse, text)
    return [collapsed] if found else []


def _span_decoders(min_base64_len: int) -> list[tuple[str, Callable[[str], list[str]]]]:
    return [
        ("base64", functools.partial(decode_base64, min_len=min_base64_len)),
        ("hex", decode_hex),
        ("binary", decode_binary),
        ("url", decode_url),
        ("html_entities", decode_html_entities),
        ("unicode_escape", decode_unicode_escapes),
        ("morse", decode_morse),
        ("reversed", decode_reversed),
        ("leetspeak", decode_leetspeak),
        ("separators", decode_separators),
    ]


def decode_once(text: str, *, min_base64_len: int = 16) -> list[Decoded]:
    """Every decoding of one layer of ``text`` (not recursive)."""
    found = [Decoded(name, d) for name, fn in _span_decoders(min_base64_len) for d in fn(text)]
    found.extend(Decoded(method, d) for method, d in decode_rot(text))
    return found


def decode_layers(text: str, max_depth: int = 3, *, min_base64_len: int = 16) -> list[Decoded]:
    """Decode ``text`` recursively (base64 inside hex inside ...) up to ``max_depth`` layers.

    Results are in discovery order, deduplicated by text, at most ``MAX_LAYERS``; each nested
    layer's method is the chain of decoders that produced it, outermost first.
    """
    results: list[Decoded] = []
    seen = {text}
    frontier = [Decoded("", text)]
    for _ in range(max(0, max_depth)):
        next_frontier: list[Decoded] = []
        for parent in frontier:
            for layer in decode_once(parent.text, min_base64_len=min_base64_len):
                decoded = layer.text[:MAX_DECODED_CHARS]
                if decoded in seen or not decoded.strip():
                    continue
                seen.add(decoded)
                method = f"{parent.method}>{layer.method}" if parent.method else layer.method
                results.append(Decoded(method, decoded))
                next_frontier.append(results[-1])
                if len(results) >= MAX_LAYERS:
                    return results
        frontier = next_frontier
    return results
