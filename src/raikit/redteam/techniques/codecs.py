# ruff: noqa: RUF001  (look-alike characters are the point of these codecs)
"""Text codecs behind the encoding and obfuscation techniques.

Each codec is an ``encode(text, rng) -> str`` function and, when the transform can be undone
exactly, a ``decode(text) -> str``. They are plain functions in one table (:data:`CODECS`) so the
encoding pack can pair each with its instruction text from ``data/encoding.yaml``.
"""

from __future__ import annotations

import base64
import binascii
import html
import random
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from raikit.redteam.techniques.glyphs import BLOCK_FONT, BRAILLE, MORSE, NATO

Encode = Callable[[str, random.Random], str]
Decode = Callable[[str], str]


@dataclass(frozen=True)
class Codec:
    encode: Encode
    decode: Decode | None = None


def _bytes(text: str) -> bytes:
    return text.encode("utf-8")


def _text(data: bytes) -> str:
    return data.decode("utf-8")


def _deterministic(fn: Callable[[str], str]) -> Encode:
    """Adapt an rng-free function to the codec signature."""
    return lambda text, _rng: fn(text)


def _translate_table(source: str, target: str) -> dict[int, str]:
    return {ord(s): t for s, t in zip(source, target, strict=True)}


def _translating(source: str, target: str) -> Codec:
    """Character substitution. Not reversible: a text may already hold target characters."""
    forward = _translate_table(source, target)
    return Codec(_deterministic(lambda t: t.translate(forward)))


def _offset_alphabet(start: int, lower_start: int | None = None, digits_start: int | None = None) -> Codec:
    """Map A-Z (and a-z, 0-9 when given) onto consecutive code points of another Unicode block."""
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    source, target = upper, "".join(chr(start + i) for i in range(26))
    if lower_start is not None:
        source += upper.lower()
        target += "".join(chr(lower_start + i) for i in range(26))
    if digits_start is not None:
        source += "0123456789"
        target += "".join(chr(digits_start + i) for i in range(10))
    return _translating(source, target)


def _rot13(text: str) -> str:
    return text.translate(_ROT13)


_LOW = "abcdefghijklmnopqrstuvwxyz"
_UP = _LOW.upper()
_ROT13 = str.maketrans(_LOW + _UP, _LOW[13:] + _LOW[:13] + _UP[13:] + _UP[:13])


def _rot47(text: str) -> str:
    return "".join(chr(33 + (ord(c) - 33 + 47) % 94) if 33 <= ord(c) <= 126 else c for c in text)


def _separated(encode_char: Callable[[str], str], sep: str, word_sep: str) -> Callable[[str], str]:
    def encode(text: str) -> str:
        return word_sep.join(sep.join(encode_char(c) for c in word) for word in text.split(" "))

    return encode


def _morse_char(c: str) -> str:
    return MORSE.get(c.upper(), c)


def _nato_char(c: str) -> str:
    return NATO.get(c.upper(), c)


def _braille_char(c: str) -> str:
    return BRAILLE.get(c.lower(), c)


def _a1z26_char(c: str) -> str:
    return str(ord(c.lower()) - 96) if c.lower() in _LOW else c


def _rail_fence_encode(text: str) -> str:
    return text[::2] + text[1::2]


def _rail_fence_decode(text: str) -> str:
    half = (len(text) + 1) // 2
    first, second = text[:half], text[half:]
    out = []
    for i in range(len(text)):
        out.append(first[i // 2] if i % 2 == 0 else second[i // 2])
    return "".join(out)


def _xor_hex(text: str) -> str:
    return bytes(b ^ XOR_KEY for b in _bytes(text)).hex()


def _xor_hex_decode(text: str) -> str:
    return _text(bytes(b ^ XOR_KEY for b in bytes.fromhex(text)))


XOR_KEY = 0x2A


def _uu_encode(text: str) -> str:
    data = _bytes(text)
    return "".join(_text(binascii.b2a_uu(data[i : i + 45])) for i in range(0, len(data), 45))


def _uu_decode(text: str) -> str:
    return _text(b"".join(binascii.a2b_uu(line) for line in text.splitlines()))


def _tag_smuggle(text: str) -> str:
    """Unicode tag characters (U+E0000 block): invisible copies of ASCII characters."""
    return "".join(chr(0xE0000 + ord(c)) if 0x20 <= ord(c) < 0x7F else c for c in text)


def _variation_selectors(text: str) -> str:
    """Each UTF-8 byte as a variation selector after one carrier emoji (invisible when rendered)."""

    def selector(byte: int) -> str:
        return chr(0xFE00 + byte) if byte < 16 else chr(0xE0100 + byte - 16)

    return "\U0001f600" + "".join(selector(b) for b in _bytes(text))


def _variation_reveal(text: str) -> str:
    data = bytearray()
    for c in text:
        code = ord(c)
        if 0xFE00 <= code <= 0xFE0F:
            data.append(code - 0xFE00)
        elif 0xE0100 <= code <= 0xE01EF:
            data.append(code - 0xE0100 + 16)
    return _text(bytes(data))


def _zero_width_between(text: str) -> str:
    return "\u200b".join(text)


def _zero_width_joiner_words(text: str) -> str:
    """A zero-width joiner in the middle of every word longer than three letters."""
    return " ".join(
        w[: len(w) // 2] + "\u200d" + w[len(w) // 2 :] if len(w) > 3 else w for w in text.split(" ")
    )


def _zero_width_joiner_reveal(text: str) -> str:
    def word(w: str) -> str:
        cut = (len(w) - 1) // 2
        return w[:cut] + w[cut + 1 :] if len(w) > 4 and w[cut] == "\u200d" else w

    return " ".join(word(w) for w in text.split(" "))


def _soft_hyphens(text: str) -> str:
    return " ".join("\u00ad".join(w[i : i + 2] for i in range(0, len(w), 2)) for w in text.split(" "))


def _soft_hyphens_reveal(text: str) -> str:
    """Drop the hyphen inserted after every two characters (exact, even if the text had some)."""
    return " ".join("".join(c for i, c in enumerate(w) if i % 3 != 2) for w in text.split(" "))


def _bidi_override(text: str) -> str:
    """Stored reversed inside RIGHT-TO-LEFT OVERRIDE ... POP: displayed in the original order."""
    return "\u202e" + text[::-1] + "\u202c"


def _bidi_reveal(text: str) -> str:
    return text.removeprefix("\u202e").removesuffix("\u202c")[::-1]


def _zalgo(text: str, rng: random.Random) -> str:
    marks = [chr(c) for c in range(0x0300, 0x0370)]
    return "".join(c + "".join(rng.choice(marks) for _ in range(2)) if c.isalnum() else c for c in text)


def _zalgo_reveal(text: str) -> str:
    """Drop the two marks that follow every letter or digit (exact, whatever marks the text had)."""
    out, index = [], 0
    while index < len(text):
        out.append(text[index])
        index += 3 if text[index].isalnum() else 1
    return "".join(out)


def _leet(table: dict[str, str]) -> Callable[[str], str]:
    return lambda text: "".join(table.get(c.lower(), c) for c in text)


def _random_case(text: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def _scramble_word(word: str, rng: random.Random) -> str:
    if len(word) <= 3:
        return word
    middle = list(word[1:-1])
    rng.shuffle(middle)
    return word[0] + "".join(middle) + word[-1]


def _typoglycemia(text: str, rng: random.Random) -> str:
    return " ".join(_scramble_word(w, rng) for w in text.split(" "))


def _split_words(text: str) -> str:
    """Break every word of five or more letters in two, so keywords are no longer single tokens."""
    return " ".join(w[: len(w) // 2] + " " + w[len(w) // 2 :] if len(w) >= 5 else w for w in text.split(" "))


def _pig_latin_word(word: str) -> str:
    if not word.isalpha():
        return word
    vowels = "aeiouAEIOU"
    index = next((i for i, c in enumerate(word) if c in vowels), len(word))
    return (word[index:] + word[:index] + "ay") if index else word + "way"


def _pig_latin(text: str) -> str:
    return " ".join(_pig_latin_word(w) for w in text.split(" "))


def _ubbi_dubbi(text: str) -> str:
    return "".join("ub" + c if c.lower() in "aeiou" else c for c in text)


def _ubbi_dubbi_decode(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i : i + 2] == "ub" and i + 2 < len(text) and text[i + 2].lower() in "aeiou":
            i += 2
        out.append(text[i])
        i += 1
    return "".join(out)


def _drop_vowels(text: str) -> str:
    return " ".join(
        w if len(w) <= 2 else w[0] + "".join(c for c in w[1:] if c.lower() not in "aeiou")
        for w in text.split(" ")
    )


def _interleave(text: str) -> str:
    return "".join(c + "x" for c in text)


def _block_letters(text: str) -> str:
    """The first 24 characters in a 5-row block font (``#`` and spaces), one line of glyphs."""
    glyphs = [BLOCK_FONT.get(c.upper(), BLOCK_FONT["?"]) for c in text[:24]]
    rows = ["  ".join(g[r] for g in glyphs) for r in range(5)]
    return "\n".join(rows) + ("\n" + text[24:] if len(text) > 24 else "")


def _art_prompt(text: str) -> str:
    """ArtPrompt-style: the longest word becomes block-letter art, the rest stays plain text."""
    words = text.split(" ")
    if not text.strip():
        return "[MASK]\n" + _block_letters("MASK")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    masked = " ".join("[MASK]" if i == longest else w for i, w in enumerate(words))
    return f"{masked}\n\n[MASK] =\n{_block_letters(words[longest])}"


def _t9(text: str) -> str:
    keys = {
        c: str(d)
        for d, group in enumerate(["", "", "abc", "def", "ghi", "jkl", "mno", "pqrs", "tuv", "wxyz"])
        for c in group
    }
    return " ".join("".join(keys.get(c.lower(), c) for c in word) for word in text.split(" "))


_KEYBOARD_ROWS = ("qwertyuiop[", "asdfghjkl;", "zxcvbnm,.")


def _keyboard_table(step: int) -> dict[int, str]:
    """Each key to its neighbour ``step`` keys along its row (cyclic, so it can be undone)."""
    return {ord(row[i]): row[(i + step) % len(row)] for row in _KEYBOARD_ROWS for i in range(len(row))}


def _keyboard_shift(text: str) -> str:
    return text.translate(_keyboard_table(1))


def _keyboard_unshift(text: str) -> str:
    return text.translate(_keyboard_table(-1))


def _upside_down() -> Codec:
    """Turned letters, read backwards; not reversible (ɐ, q, p, ... may already be in the text)."""
    forward = _translate_table("abcdefghijklmnopqrstuvwxyz", "ɐqɔpǝɟƃɥᴉɾʞlɯuodbɹsʇnʌʍxʎz")
    return Codec(_deterministic(lambda t: t.translate(forward)[::-1]))


def _codes(fmt: Callable[[int], str], parse: Callable[[str], int]) -> Codec:
    return Codec(
        _deterministic(lambda t: " ".join(fmt(b) for b in _bytes(t))),
        lambda t: _text(bytes(parse(x) for x in t.split())),
    )


CODECS: dict[str, Codec] = {
    "base64": Codec(
        _deterministic(lambda t: _text(base64.b64encode(_bytes(t)))), lambda t: _text(base64.b64decode(t))
    ),
    "base32": Codec(
        _deterministic(lambda t: _text(base64.b32encode(_bytes(t)))), lambda t: _text(base64.b32decode(t))
    ),
    "base85": Codec(
        _deterministic(lambda t: _text(base64.b85encode(_bytes(t)))), lambda t: _text(base64.b85decode(t))
    ),
    "ascii85": Codec(
        _deterministic(lambda t: _text(base64.a85encode(_bytes(t), adobe=True))),
        lambda t: _text(base64.a85decode(t, adobe=True)),
    ),
    "zlib-base64": Codec(
        _deterministic(lambda t: _text(base64.b64encode(zlib.compress(_bytes(t), 9)))),
        lambda t: _text(zlib.decompress(base64.b64decode(t))),
    ),
    "uuencode": Codec(_deterministic(_uu_encode), _uu_decode),
    "hex": Codec(_deterministic(lambda t: _bytes(t).hex()), lambda t: _text(bytes.fromhex(t))),
    "xor-hex": Codec(_deterministic(_xor_hex), _xor_hex_decode),
    "binary": _codes(lambda b: format(b, "08b"), lambda x: int(x, 2)),
    "octal": _codes(lambda b: format(b, "03o"), lambda x: int(x, 8)),
    "decimal-bytes": _codes(str, int),
    "url-encoding": Codec(_deterministic(lambda t: urllib.parse.quote(t, safe="")), urllib.parse.unquote),
    "html-entities": Codec(_deterministic(lambda t: "".join(f"&#{ord(c)};" for c in t)), html.unescape),
    "unicode-escape": Codec(
        _deterministic(
            lambda t: "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in t)
        ),
        lambda t: t.encode("ascii").decode("unicode_escape"),
    ),
    "rot13": Codec(_deterministic(_rot13), _rot13),
    "rot47": Codec(_deterministic(_rot47), _rot47),
    "reverse-characters": Codec(_deterministic(lambda t: t[::-1]), lambda t: t[::-1]),
    "reverse-words": Codec(
        _deterministic(lambda t: " ".join(reversed(t.split(" ")))), lambda t: " ".join(reversed(t.split(" ")))
    ),
    "reverse-each-word": Codec(
        _deterministic(lambda t: " ".join(w[::-1] for w in t.split(" "))),
        lambda t: " ".join(w[::-1] for w in t.split(" ")),
    ),
    "rail-fence": Codec(_deterministic(_rail_fence_encode), _rail_fence_decode),
    "keyboard-shift": Codec(_deterministic(_keyboard_shift), _keyboard_unshift),
    "morse": Codec(_deterministic(_separated(_morse_char, " ", " / "))),
    "nato-phonetic": Codec(_deterministic(_separated(_nato_char, " ", " | "))),
    "braille": Codec(_deterministic(lambda t: "".join(_braille_char(c) for c in t))),
    "a1z26": Codec(_deterministic(_separated(_a1z26_char, "-", " "))),
    "t9-keypad": Codec(_deterministic(_t9)),
    "leetspeak": Codec(_deterministic(_leet({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}))),
    "leetspeak-heavy": Codec(
        _deterministic(
            _leet(
                {
                    "a": "/-\\",
                    "b": "|3",
                    "c": "(",
                    "d": "|)",
                    "e": "3",
                    "h": "|-|",
                    "k": "|<",
                    "l": "|_",
                    "m": "/\\/\\",
                    "n": "|\\|",
                    "o": "()",
                    "r": "|2",
                    "s": "$",
                    "t": "+",
                    "u": "|_|",
                    "v": "\\/",
                    "w": "\\/\\/",
                    "x": "><",
                    "y": "`/",
                }
            )
        )
    ),
    "homoglyph-cyrillic": _translating("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ"),
    "homoglyph-greek": _translating("ABEHIKMNOPTXYZov", "ΑΒΕΗΙΚΜΝΟΡΤΧΥΖον"),
    "fullwidth": _translating(
        "".join(chr(c) for c in range(0x21, 0x7F)) + " ",
        "".join(chr(c + 0xFEE0) for c in range(0x21, 0x7F)) + "\u3000",
    ),
    "math-bold": _offset_alphabet(0x1D400, 0x1D41A, 0x1D7CE),
    "circled": _offset_alphabet(0x24B6, 0x24D0),
    "small-caps": _translating("abcdefghijklmnopqrstuvwxyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡxʏᴢ"),
    "superscript": _translating("abcdefghijklmnoprstuvwxyz0123456789", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁰¹²³⁴⁵⁶⁷⁸⁹"),
    "upside-down": _upside_down(),
    "regional-indicators": Codec(
        _deterministic(
            lambda t: "\u200b".join(chr(0x1F1E6 + ord(c) - 97) if c in _LOW else c for c in t.lower())
        )
    ),
    "zero-width-between-characters": Codec(_deterministic(_zero_width_between), lambda t: t[::2]),
    "zero-width-joiner-in-words": Codec(_deterministic(_zero_width_joiner_words), _zero_width_joiner_reveal),
    "soft-hyphens": Codec(_deterministic(_soft_hyphens), _soft_hyphens_reveal),
    "unicode-tag-smuggling": Codec(_deterministic(_tag_smuggle)),
    "variation-selector-smuggling": Codec(_deterministic(_variation_selectors), _variation_reveal),
    "bidi-override": Codec(_deterministic(_bidi_override), _bidi_reveal),
    "zalgo": Codec(_zalgo, _zalgo_reveal),
    "random-case": Codec(_random_case, None),
    "typoglycemia": Codec(_typoglycemia, None),
    "letters-hyphenated": Codec(_deterministic(_separated(lambda c: c, "-", "   ")), None),
    "split-words": Codec(_deterministic(_split_words), None),
    "pig-latin": Codec(_deterministic(_pig_latin), None),
    "ubbi-dubbi": Codec(_deterministic(_ubbi_dubbi), _ubbi_dubbi_decode),
    "drop-vowels": Codec(_deterministic(_drop_vowels), None),
    "interleaved-filler": Codec(_deterministic(_interleave), lambda t: t[::2]),
    "block-letter-ascii-art": Codec(_deterministic(_block_letters), None),
    "art-prompt-masked-word": Codec(_deterministic(_art_prompt), None),
}
