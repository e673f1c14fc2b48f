"""Unicode normalisation for the obfuscation scanner: invisible characters and lookalike letters.

Everything here is a pure function of the text, linear in its length, with a fast path for
plain ASCII. Legitimate uses of the same code points are left alone: zero-width joiners inside
emoji and Indic/Arabic words, variation selectors after emoji and CJK ideographs, tag characters
in subdivision flags, direction marks in right-to-left text, fullwidth Latin in CJK text and
whole words in Cyrillic or Greek. Only what is removed or folded is counted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef\ud800-\udfff"
)
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}]+")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_BLACK_FLAG = "\U0001f3f4"


@dataclass(frozen=True, slots=True)
class InvisibleReport:
    """``text`` without the suspicious invisible characters; ``hidden`` holds (method, payload)."""

    text: str
    removed: int = 0
    bidi: int = 0
    hidden: tuple[tuple[str, str], ...] = ()


def _is_tag(ch: str) -> bool:
    return 0xE0000 <= ord(ch) <= 0xE007F


def _is_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _emoji_like(ch: str) -> bool:
    """A pictograph a ZWJ may join. Enclosed letters and digits (🄰, ①) are not: they are
    lookalikes that :func:`scan_homoglyphs` may fold to ASCII, after which a joiner kept next to
    them would be removed by a second pass (normalisation must be idempotent)."""
    cp = ord(ch) if ch else 0
    if not (0x1F000 <= cp <= 0x1FAFF or 0x2190 <= cp <= 0x2BFF or cp in (0xFE0F, 0x20E3, 0xA9, 0xAE, 0x2122)):
        return False
    folded = unicodedata.normalize("NFKC", ch)
    return not (folded != ch and folded.isascii() and folded.isalnum() and cp != 0x2122)


def _joining_script(ch: str) -> bool:
    """Scripts that use ZWJ/ZWNJ in ordinary words (Hebrew and Arabic through Mongolian, Indic)."""
    cp = ord(ch) if ch else 0
    return (
        0x0590 <= cp <= 0x1CFF or 0xA800 <= cp <= 0xABFF or 0xFB1D <= cp <= 0xFEFC or 0x10800 <= cp <= 0x11FFF
    )


def _spaceless_script(ch: str) -> bool:
    """Scripts written without spaces, where ZWSP marks word breaks (Thai, Lao, Khmer, CJK...)."""
    cp = ord(ch) if ch else 0
    return (
        0x0E00 <= cp <= 0x109F or 0x1780 <= cp <= 0x17FF or 0x3000 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF
    )


def _visible(ch: str) -> bool:
    return bool(ch) and not ch.isspace() and _INVISIBLE_RUN.match(ch) is None


def _selector_payload(group: str) -> str:
    """Bytes smuggled as variation selectors: U+FE00..FE0F are 0..15, U+E0100..E01EF are 16..255."""
    return group.translate(_SELECTOR_BYTES).encode("latin-1").decode("utf-8", "replace")


_TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")
_SELECTOR_RUN = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]+")
_TAG_ASCII = {cp: (chr(cp - 0xE0000) if 0xE0020 <= cp <= 0xE007E else None) for cp in range(0xE0000, 0xE0080)}
_SELECTOR_BYTES = {0xFE00 + b: chr(b) for b in range(16)} | {0xE0100 + b: chr(16 + b) for b in range(240)}
_SAME_RUN = re.compile(r"(.)\1*", re.S)


def _run_end(text: str, pos: int) -> int:
    found = _SAME_RUN.match(text, pos)
    return found.end() if found else pos + 1


def _keep(ch: str, before: str, after: str, has_rtl: Callable[[], bool]) -> bool:
    """Whether an invisible character is doing a legitimate job between ``before`` and ``after``."""
    if ch == "\u200d":
        return (_emoji_like(before) and _emoji_like(after)) or (
            _joining_script(before) and _joining_script(after)
        )
    if ch == "\u200c":
        return _joining_script(before) and _joining_script(after)
    if ch == "\u200b":
        return _spaceless_script(before) and _spaceless_script(after)
    return ch in _DIRECTION_MARKS and has_rtl()


def scan_invisible(text: str) -> InvisibleReport:
    """Remove invisible, bidi-control, tag and smuggling characters; decode what they hid."""
    if text.isascii() or _INVISIBLE_RUN.search(text) is None:
        return InvisibleReport(text)
    removed = bidi = 0
    hidden: list[tuple[str, str]] = []
    rtl: list[bool] = []

    def has_rtl() -> bool:
        if not rtl:
            rtl.append(_RTL.search(text) is not None)
        return rtl[0]

    def replace(match: re.Match[str]) -> str:
        nonlocal removed, bidi
        run, start = match.group(), match.start()
        before = text[start - 1] if start else ""
        after = text[match.end()] if match.end() < len(text) else ""
        kept: list[str] = []
        i = 0
        while i < len(run):
            ch = run[i]
            if _is_tag(ch) or _is_selector(ch):
                test = _is_tag if _is_tag(ch) else _is_selector
                found = (_TAG_RUN if test is _is_tag else _SELECTOR_RUN).match(run, i)
                j = found.end() if found else i + 1
                group, i = run[i:j], j
                if (
                    test is _is_tag
                    and before == _BLACK_FLAG
                    and group[-1] == "\U000e007f"
                    and len(group) <= 8
                ):
                    kept.append(group)
                    before = group[-1]
                    continue
                if test is _is_selector and len(group) == 1 and _visible(before):
                    kept.append(group)
                    before = group
                    continue
                removed += len(group)
                if test is _is_tag:
                    payload = group.translate(_TAG_ASCII)
                    method = "unicode_tags"
                else:
                    payload, method = (
                        (_selector_payload(group) if len(group) > 1 else ""),
                        "variation_selectors",
                    )
                if payload.strip():
                    hidden.append((method, payload))
                continue
            end = _run_end(run, i)
            n, first, i = end - i, start + i, end
            if ch == "\ufeff" and first == 0:
                n -= 1  # a leading byte-order mark: dropped, not counted
            keep = 0
            if n and _keep(ch, before, after, has_rtl):
                keep = n if n > 1 and _keep(ch, ch, after, has_rtl) else 1
                kept.append(ch * keep)
                before = ch
            removed += n - keep
            bidi += (n - keep) if ch in _BIDI_CONTROLS else 0
        return "".join(kept)

    stripped = _INVISIBLE_RUN.sub(replace, text)
    return InvisibleReport(stripped, removed, bidi, tuple(hidden))


def strip_invisible(text: str) -> tuple[str, int]:
    """``text`` without suspicious invisible characters, and how many were removed."""
    report = scan_invisible(text)
    return report.text, report.removed


# Letters from other scripts that look like Latin ones. Folded only inside words that are
# otherwise Latin, or in whole words when the text has no genuine letter of that script.
_CONFUSABLES = {
    **dict(zip("аеорсухѕіјԁӏһԛԝүкАВЕКМНОРСТУХЅІЈԚԜҮӀ", "aeopcyxsijdlhqwykABEKMHOPCTYXSIJQWYI", strict=True)),
    **dict(zip("αορνικυχϲϳγεΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹͿ", "aopvikuxcjyeABEZHIKMNOPTYXCJ", strict=True)),
    **dict(zip("օսոհցզՕՍ", "ounhgqOU", strict=True)),  # noqa: RUF001 - Armenian lookalikes
}
_CONFUSABLE_FOLD = str.maketrans(_CONFUSABLES)
_CONFUSABLE_DROP = dict.fromkeys(_CONFUSABLE_FOLD)


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class body with consecutive code points merged into ranges (a long list
    of astral-plane literals makes ``re`` test them one by one)."""
    points = sorted({ord(c) for c in chars})
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        first, last = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


_OTHER_SCRIPT = "\u0370-\u03ff\u0400-\u052f\u0531-\u058f"
_OTHER_SCRIPT_CHAR = re.compile(f"[{_OTHER_SCRIPT}]")
_GREEK = re.compile("[\u0370-\u03ff]")
_MIXED_BOUNDARY = re.compile(f"[A-Za-z][0-9_]*[{_OTHER_SCRIPT}]|[{_OTHER_SCRIPT}][0-9_]*[A-Za-z]")
_CONFUSABLE_CLASS = _char_class(_CONFUSABLES)
_SPOOF_WORD = re.compile(f"(?<!\\w)[{_CONFUSABLE_CLASS}]{{3,}}(?!\\w)")
_GENUINE_OTHER = re.compile(f"(?![{_CONFUSABLE_CLASS}])[{_OTHER_SCRIPT}](?<=[^\\W\\d_])")

# Decorative letters: fullwidth, mathematical alphanumerics, letterlike symbols, enclosed and
# small-capital letters. The IPA small capitals are folded only next to a non-IPA one.
_IPA_SMALL_CAPS = dict(zip("ʙɢʜɪʟɴʀʏ", "bghilnry", strict=True))
_SMALL_CAPS = dict(zip("ᴀᴄᴅᴇꜰᴊᴋᴍᴏᴘꜱᴛᴜᴠᴡᴢ", "acdefjkmopstuvwz", strict=True))


def _fancy_table() -> dict[str, str]:
    table = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF10, 0xFF5B) if chr(cp - 0xFEE0).isalnum()}
    for lo, hi in ((0x1D400, 0x1D7FF), (0x2100, 0x214F), (0x24B6, 0x24E9), (0x1F130, 0x1F149)):
        for cp in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(cp))
            if len(folded) == 1 and folded.isascii() and folded.isalnum() and cp != 0x2139:
                table[chr(cp)] = folded
    for base in (0x1F150, 0x1F170):
        table.update({chr(base + i): chr(0x41 + i) for i in range(26)})
    return table | _SMALL_CAPS | _IPA_SMALL_CAPS


_FANCY = _fancy_table()
_FANCY_FOLD = str.maketrans(_FANCY)
_FANCY_DROP = dict.fromkeys(_FANCY_FOLD)
_FANCY_CHAR = re.compile(f"[{_char_class(_FANCY)}]")
_STRONG_FANCY = re.compile(f"[{_char_class(set(_FANCY) - set(_IPA_SMALL_CAPS))}]")
_NOT_FULLWIDTH_FANCY = re.compile(f"[{_char_class(c for c in _FANCY if not 0xFF10 <= ord(c) <= 0xFF5A)}]")
_WORD_RUN = re.compile(f"[\\w{_char_class(c for c in _FANCY if not c.isalnum())}]*")
_FANCY_BLOCKS = re.compile(
    "[\u0262-\u02af\u1d00-\u1d22\u2100-\u24e9\ua730\ua731\uff10-\uff5a\U0001d400-\U0001f189]"
)
_BEYOND_LATIN = re.compile("[\u0262-\U0010ffff]")  # below U+0262 there is nothing to fold
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True, slots=True)
class HomoglyphReport:
    """``text`` with lookalike letters folded to ASCII, and what was found."""

    text: str
    folded: int = 0
    mixed_words: int = 0
    spoofed_words: int = 0
    decorated_words: int = 0


def _run_length(text: str, pos: int) -> int:
    found = _WORD_RUN.match(text, pos)
    return found.end() - pos if found else 0


def _word_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
    """(start, end, match start) of every word holding a match of ``pattern``, each word once."""
    spans: list[tuple[int, int, int]] = []
    backwards = text[::-1]
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        lo = match.start() - _run_length(backwards, len(text) - match.start())
        pos = match.end() + _run_length(text, match.end())
        spans.append((lo, pos, match.start()))
    return spans


def _suspicious_mix(word: str) -> bool:
    """Latin mixed with Cyrillic or Armenian in one word; with Greek only where a lookalike
    sits inside the Latin letters, not as a prefix or unit (alpha-SMA, H-alpha, micrometre)."""
    latin = [i for i, c in enumerate(word) if c.isalpha() and ord(c) < 0x250]
    if not latin:
        return False
    if any(0x400 <= ord(c) <= 0x58F and c.isalpha() for c in word):
        return True
    greek = [i for i, c in enumerate(word) if c in _CONFUSABLES and _GREEK.match(c)]
    inside = any(latin[0] < i < latin[-1] for i in greek)
    trailing = bool(greek) and greek[-1] > latin[-1] and sum(word[i].islower() for i in latin) >= 3
    return inside or trailing or (len(greek) >= 2 and len(latin) >= 2)


def _fold_spans(
    text: str, spans: list[tuple[int, int]], table: dict[int, str], drop: dict[int, None]
) -> tuple[str, int]:
    """``text`` with ``table`` applied inside ``spans``, and how many characters it changed."""
    parts: list[str] = []
    changed = last = 0
    for lo, hi in sorted(spans):
        if lo < last:
            continue
        parts += [text[last:lo], text[lo:hi].translate(table)]
        changed += hi - lo - len(text[lo:hi].translate(drop))
        last = hi
    parts.append(text[last:])
    return "".join(parts), changed


def scan_homoglyphs(text: str) -> HomoglyphReport:
    """Fold decorative letters and cross-script lookalikes inside Latin words to ASCII."""
    if text.isascii() or not _BEYOND_LATIN.search(text):
        return HomoglyphReport(text)
    folded = decorated = 0
    if _FANCY_BLOCKS.search(text) and _FANCY_CHAR.search(text):
        keep_fullwidth = _CJK.search(text) is not None
        fancy = [
            (lo, hi)
            for lo, hi, _ in _word_spans(text, _FANCY_CHAR)
            if _STRONG_FANCY.search(text, lo, hi)
            and not (keep_fullwidth and _NOT_FULLWIDTH_FANCY.search(text, lo, hi) is None)
        ]
        if any(hi - lo >= 3 for lo, hi in fancy):
            text, folded = _fold_spans(text, fancy, _FANCY_FOLD, _FANCY_DROP)
            decorated = len(fancy)
    if not _OTHER_SCRIPT_CHAR.search(text):
        return HomoglyphReport(text, folded, 0, 0, decorated)
    spans = [
        (lo, hi)
        for lo, hi, at in _word_spans(text, _MIXED_BOUNDARY)
        if _suspicious_mix(text[max(lo, at - 64) : min(hi, at + 64)])
    ]
    mixed = len(spans)
    if _GENUINE_OTHER.search(text) is None and re.search("[A-Za-z]", text):
        spans += [m.span() for m in _SPOOF_WORD.finditer(text)]
    text, n = _fold_spans(text, spans, _CONFUSABLE_FOLD, _CONFUSABLE_DROP)
    return HomoglyphReport(text, folded + n, mixed, len(spans) - mixed, decorated)


def fold_homoglyphs(text: str) -> tuple[str, int]:
    """``text`` with lookalike letters in Latin words folded to ASCII, and how many changed."""
    report = scan_homoglyphs(text)
    return report.text, report.folded


def mixed_script_words(text: str) -> int:
    """Words that mix Latin with Cyrillic, Armenian or lookalike Greek letters."""
    if text.isascii() or not _OTHER_SCRIPT_CHAR.search(text):
        return 0
    spans = _word_spans(text, _MIXED_BOUNDARY)
    return sum(_suspicious_mix(text[max(lo, at - 64) : min(hi, at + 64)]) for lo, hi, at in spans)


def normalize_text(text: str) -> str:
    """Invisible characters stripped, then lookalike letters folded (idempotent)."""
    return scan_homoglyphs(scan_invisible(text).text).text
