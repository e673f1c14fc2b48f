"""Word-by-word English gloss of Hindi (Devanagari) text.

The guard's sentence encoder (multilingual USE v3) has no Hindi: most Devanagari is
unknown or fragmented to it, so a Hindi request embeds as noise. An English gloss built
word by word ("किसी को बिना निशान छोड़े नुकसान पहुँचाने का तरीका" -> "someone to without
trace leave harm cause of method") keeps the content words the encoder does know, and it
embeds close to the English request it came from.

How a text is glossed:

1. normalise the whole text once: nukta dropped (precomposed or not: the nukta letters are
   Devanagari's only canonical compositions, so this makes NFC and NFD text alike without
   running NFC), chandrabindu as anusvara, a nasal consonant + virama before a consonant as
   anusvara (हिन्दी = हिंदी), Devanagari digits as ASCII, danda as a full stop, ZWJ/ZWNJ
   dropped;
2. split it into Devanagari words, Latin/digit words (kept as they are, so code-mixed
   English passes through), words of other scripts and punctuation;
3. look each Devanagari word (or two-word phrase) up in the glossary, then strip suffixes
   (verb stems first, then other words, longest suffix first, up to two suffixes) to reach a
   stem or lemma the glossary has, then retry with spelling variants of verb endings
   (गये = गए); words it cannot resolve are left out of the gloss. Resolved words are cached.

The glossary (``data/hi_en.tsv``) is loaded when a :class:`HindiGlosser` is built;
:func:`default_glosser` builds one per process on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

GLOSSARY_RESOURCE = ("raikit.guard.gloss", "data/hi_en.tsv")
SILENT = "-"
"""Glossary value for a word that is known but has no English counterpart (the ergative ने)."""

_DEVANAGARI_FIRST, _DEVANAGARI_LAST = "\u0900", "\u097f"
_CHAR_MAP: dict[int, str] = {
    0x093C: "",  # nukta: क़ = क, ड़ = ड (the glossary is normalised the same way)
    0x200C: "",  # ZWNJ
    0x200D: "",  # ZWJ
    0x00AD: "",  # soft hyphen
    0x0901: "\u0902",  # chandrabindu -> anusvara
    0x0945: "\u0947",  # candra e -> e
    0x090D: "\u090f",  # ऍ -> ए
    0x0929: "\u0928",  # ऩ -> न
    0x0931: "\u0930",  # ऱ -> र
    0x0934: "\u0933",  # ऴ -> ळ
    **{0x0958 + i: base for i, base in enumerate("कखगजडढफय")},  # precomposed nukta letters
    **{0x0966 + i: str(i) for i in range(10)},  # Devanagari digits
    0x0964: ".",  # danda
    0x0965: ".",  # double danda
}
_RESPELLED_CHAR = re.compile("[" + "".join(map(chr, _CHAR_MAP)) + "]")
_NASAL_CLUSTER = re.compile("[\u0919\u091e\u0923\u0928\u092e]\u094d(?=[\u0915-\u0939])")
_INNER_HYPHEN = re.compile("(?<=[\u0900-\u097f])-(?=[\u0900-\u097f])")
"""धीरे-धीरे is read as the two words धीरे धीरे (and matches the phrase entry of that name)."""
_TOKEN = re.compile(
    "[\u0900-\u0963\u0971-\u097f]+"  # Devanagari word (danda and digits are mapped away first)
    "|[A-Za-z0-9]+(?:['._-][A-Za-z0-9]+)*"  # Latin or digit word, kept as written
    "|[^\\W_\u0900-\u097f]+"  # word in another script
    "|[^\\w\\s]"  # one punctuation mark
)
_ATTACHES_LEFT = frozenset(".,?!:;)]}%")

# Spelling variants of verb endings, tried when a word is not in the glossary: गये = गए.
_ENDING_VARIANTS: tuple[tuple[str, str], ...] = (
    ("येंगे", "एंगे"),
    ("येगा", "एगा"),
    ("येगी", "एगी"),
    ("यें", "एं"),
    ("ये", "ए"),
    ("यी", "ई"),
)

# Verb endings: future, subjunctive, imperative, polite, participles, infinitive,
# conjunctive, causative. Removing one leaves a verb stem; stems derived from the glossary's
# -ना lemmas are tried before other words (सजाएं: सजाना "decorate", not सजा "punishment").
_VERB_SUFFIXES: tuple[str, ...] = (
    "ूंगा",
    "ूंगी",
    "ेंगे",
    "ेंगी",
    "ोगे",
    "ोगी",
    "ेगा",
    "ेगी",
    "ऊंगा",
    "ऊंगी",
    "एंगे",
    "एंगी",
    "ओगे",
    "ओगी",
    "एगा",
    "एगी",
    "िएगा",
    "इएगा",
    "िए",
    "इए",
    "िएं",
    "करके",
    "कर",
    "के",
    "वाना",
    "वाने",
    "वानी",
    "वाया",
    "वाई",
    "वाए",
    "वाता",
    "वाती",
    "वाते",
    "वाकर",
    "वाओ",
    "वाएं",
    "वा",
    "ता",
    "ती",
    "ते",
    "तीं",
    "ना",
    "ने",
    "नी",
    "या",
    "ई",
    "ए",
    "ओ",
    "ऊं",
    "ूं",
    "ईं",
    "ें",
    "एं",
    "ो",
    "े",
    "ी",
    "ा",
    "ीं",
)
# Noun and adjective endings (oblique, plural, gender, a few derivations such as -कारक,
# -ीय, -ात्मक) -> what may stand in their place in the word the glossary has ("" = nothing):
# लड़कियों -> लड़की, बड़ी -> बड़ा, मानहानिकारक -> मानहानि.
_NOUN_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ियों", ("ी", "ि", "")),
    ("ियां", ("ी", "ि", "")),
    ("ाओं", ("ा",)),
    ("ुओं", ("ु", "ू")),
    ("ओं", ("",)),
    ("ों", ("ा", "")),
    ("ें", ("ा", "")),
    ("एं", ("",)),
    ("े", ("ा", "")),
    ("ी", ("", "ा")),
    ("ीं", ("", "ा")),
    ("ा", ("",)),
    ("ाएं", ("ा",)),
    ("ए", ("या",)),
    ("एं", ("या",)),
    ("वाला", ("",)),
    ("वाली", ("",)),
    ("वाले", ("",)),
    ("वालों", ("",)),
    ("पन", ("",)),
    ("वां", ("",)),
    ("वीं", ("",)),
    ("वें", ("",)),
    ("दार", ("",)),
    ("ियत", ("",)),
    ("ता", ("",)),
    ("जी", ("",)),
    ("कारक", ("",)),
    ("कारी", ("",)),
    ("ीय", ("", "ा")),
    ("ात्मक", ("ा",)),
    ("ीकरण", ("", "ी")),
    ("ता", ("", "ा")),
)
_MIN_STEM = 2
_STRIP_DEPTH = 2

_Rule = tuple[tuple[bool, str], ...]
"""Candidates for the stem of one suffix: (look among verb stems?, what replaces the suffix)."""


def _suffix_rules() -> tuple[dict[str, _Rule], tuple[int, ...]]:
    rules: dict[str, list[tuple[bool, str]]] = {}
    for suffix in _VERB_SUFFIXES:
        rules.setdefault(suffix, []).extend([(True, ""), (False, "")])  # verb stem, then any word
    for suffix, replacements in _NOUN_SUFFIXES:
        candidates = rules.setdefault(suffix, [])
        candidates.extend((False, r) for r in replacements if (False, r) not in candidates)
    lengths = tuple(sorted({len(s) for s in rules}, reverse=True))
    return {suffix: tuple(candidates) for suffix, candidates in rules.items()}, lengths


def _respell(match: re.Match[str]) -> str:
    return _CHAR_MAP[ord(match.group())]


def normalize_hindi(text: str) -> str:
    """The spelling the glossary is keyed by (see the module docstring, step 1)."""
    if text.isascii():
        return text
    text = _RESPELLED_CHAR.sub(_respell, text)
    return _INNER_HYPHEN.sub(" ", _NASAL_CLUSTER.sub("\u0902", text))


_Entry = tuple[str, str, str, str | None]
"""(where it comes from, Hindi, English, English of the verb when it differs: खाना food/eat)."""


@dataclass(frozen=True)
class Glossary:
    """Normalised Hindi words and two-word phrases -> English, and verb stems -> English.

    Every -ना lemma (मारना) gives a verb stem (मार), found in ``verb_stems`` and, unless the
    word is listed itself, in ``words``.
    """

    words: dict[str, str]
    verb_stems: dict[str, str]
    phrase_heads: frozenset[str]
    """First words of the two-word phrases, so that a phrase is looked for only after them."""

    @classmethod
    def from_entries(cls, entries: Iterable[_Entry]) -> Glossary:
        words: dict[str, str] = {}
        verb_stems: dict[str, str] = {}
        for where, hindi, english, verb_english in entries:
            parts = normalize_hindi(hindi).split()
            if not parts or len(parts) > 2:
                raise ValueError(f"{where}: an entry is one word or a two-word phrase, got {hindi!r}")
            key = " ".join(parts)
            if key in words:
                raise ValueError(f"{where}: {hindi!r} is already in the glossary")
            words[key] = english
            if len(parts) == 1 and key.endswith("ना") and len(key) > 1 + _MIN_STEM:
                verb_stems.setdefault(key[:-2], verb_english or english)
        for stem, english in verb_stems.items():
            words.setdefault(stem, english)
        phrase_heads = frozenset(key.split(" ")[0] for key in words if " " in key)
        return cls(words, verb_stems, phrase_heads)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Glossary:
        return cls.from_entries(("glossary", hindi, english, None) for hindi, english in mapping.items())

    def __len__(self) -> int:
        return len(self.words)


def _parse_entries(lines: Iterable[str], source: str) -> Iterator[_Entry]:
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) not in (2, 3) or not all(fields):
            raise ValueError(
                f"{source}:{number}: expected 'hindi<TAB>english[<TAB>english of the verb]', got {line!r}"
            )
        yield f"{source}:{number}", fields[0], fields[1], fields[2] if len(fields) == 3 else None


def load_glossary(path: Path | None = None) -> Glossary:
    """The shipped glossary (``data/hi_en.tsv``), or the one at ``path``.

    Lines are ``hindi<TAB>english``; ``#`` starts a comment line; the English ``-`` marks a
    word that is known but glossed as nothing. A third field gives the English of a -ना
    lemma used as a verb where it differs from the noun (``खाना<TAB>food<TAB>eat``). The Hindi
    is one word or a two-word phrase (glossed as a unit where the two words follow each
    other: "बाल शोषण" = "child abuse", where "बाल" alone is "hair"). A word listed twice is
    an error.
    """
    if path is None:
        package, resource = GLOSSARY_RESOURCE
        text = files(package).joinpath(resource).read_text(encoding="utf-8")
        source = resource
    else:
        text = path.read_text(encoding="utf-8")
        source = str(path)
    return Glossary.from_entries(_parse_entries(text.splitlines(), source))


@dataclass(frozen=True)
class _Analysis:
    words: list[str]
    unknown: list[str]
    devanagari: int
    glossed: int
    other_words: int


class HindiGlosser:
    """Glosses Hindi text word by word; owns its glossary and a bounded cache of words."""

    def __init__(
        self,
        glossary: Glossary | Mapping[str, str] | None = None,
        *,
        min_devanagari_share: float = 0.5,
        cache_size: int = 20000,
    ) -> None:
        if glossary is None:
            glossary = load_glossary()
        elif not isinstance(glossary, Glossary):
            glossary = Glossary.from_mapping(glossary)
        self._glossary = glossary.words
        self._verbs = glossary.verb_stems
        self.min_devanagari_share = min_devanagari_share
        self._cache_size = cache_size
        self._resolved: dict[str, str | None] = {}
        self._phrase_heads = glossary.phrase_heads
        self._rules, self._suffix_lengths = _suffix_rules()

    def __len__(self) -> int:
        return len(self._glossary)

    def lookup(self, word: str) -> str | None:
        """The English for one normalised Devanagari word ("" when silent), or None if unknown."""
        try:
            return self._resolved[word]
        except KeyError:
            pass
        english = self._resolve(word)
        if len(self._resolved) >= self._cache_size:
            self._resolved.clear()
        self._resolved[word] = english
        return english

    def gloss(self, text: str) -> str | None:
        """An English gloss of ``text`` if it is mostly Devanagari, else None.

        "Mostly" means at least ``min_devanagari_share`` of its words are Devanagari. The gloss
        may be empty when none of its Hindi words is known.
        """
        analysis = self._analyse(text)
        if not self._is_mostly_devanagari(analysis):
            return None
        return _join(analysis.words)

    def coverage(self, text: str) -> float:
        """Share of the Devanagari words of ``text`` that the glossary resolves (0.0 if none)."""
        analysis = self._analyse(text)
        return analysis.glossed / analysis.devanagari if analysis.devanagari else 0.0

    def unknown_words(self, text: str) -> list[str]:
        """The normalised Devanagari words of ``text`` that the glossary cannot resolve."""
        return self._analyse(text).unknown

    def _is_mostly_devanagari(self, analysis: _Analysis) -> bool:
        total = analysis.devanagari + analysis.other_words
        return analysis.devanagari > 0 and analysis.devanagari >= self.min_devanagari_share * total

    def _analyse(self, text: str) -> _Analysis:
        words: list[str] = []
        unknown: list[str] = []
        devanagari = glossed = other_words = 0
        tokens = _TOKEN.findall(normalize_hindi(text))
        resolved, glossary, phrase_heads = self._resolved, self._glossary, self._phrase_heads
        index, count = 0, len(tokens)
        while index < count:
            token = tokens[index]
            index += 1
            if not _DEVANAGARI_FIRST <= token[0] <= _DEVANAGARI_LAST:
                if token[0].isalnum():
                    other_words += 1
                if token.isprintable():
                    words.append(token)
                continue
            devanagari += 1
            if token in phrase_heads and index < count:
                phrase = glossary.get(token + " " + tokens[index])
                if phrase is not None:
                    devanagari += 1
                    glossed += 2
                    index += 1
                    if phrase != SILENT:
                        words.append(phrase)
                    continue
            try:
                english = resolved[token]
            except KeyError:
                english = self.lookup(token)
            if english is None:
                unknown.append(token)
            else:
                glossed += 1
                if english:
                    words.append(english)
        return _Analysis(words, unknown, devanagari, glossed, other_words)

    def _resolve(self, word: str) -> str | None:
        english = self._glossary.get(word)
        if english is None:
            english = self._strip(word, _STRIP_DEPTH)
        if english is None:
            for ending, variant in _ENDING_VARIANTS:
                if word.endswith(ending) and len(word) > len(ending):
                    respelled = word[: -len(ending)] + variant
                    english = self._glossary.get(respelled) or self._strip(respelled, _STRIP_DEPTH)
                    break
        if english is None:
            return None
        return "" if english == SILENT else english

    def _strip(self, word: str, depth: int) -> str | None:
        """Remove a suffix so that what is left is a verb stem or a word of the glossary.

        Verb stems come first, the longest stem first (बनवाया: बनवाना "get made", not
        बनना "become"); then glossary words, the longest suffix first. Failing both, a second
        suffix is removed (up to ``depth`` suffixes).
        """
        rules = self._rules
        matches: list[tuple[str, _Rule]] = []
        for length in self._suffix_lengths:
            if len(word) - length >= _MIN_STEM:
                candidates = rules.get(word[-length:])
                if candidates is not None:
                    matches.append((word[:-length], candidates))
        verbs = self._verbs
        for stem, candidates in reversed(matches):
            if candidates[0][0]:
                english = verbs.get(stem)
                if english is not None:
                    return english
        glossary = self._glossary
        for stem, candidates in matches:
            for among_verbs, replacement in candidates:
                if not among_verbs:
                    english = glossary.get(stem + replacement)
                    if english is not None:
                        return english
        if depth > 1:
            for stem, _ in matches:
                english = self._strip(stem, depth - 1)
                if english is not None:
                    return english
        return None


def _join(words: list[str]) -> str:
    parts: list[str] = []
    for word in words:
        if parts and word in _ATTACHES_LEFT:
            parts[-1] += word
        else:
            parts.append(word)
    return " ".join(parts)


@functools.cache
def default_glosser() -> HindiGlosser:
    """A glosser over the shipped glossary, built on first use and shared by this process."""
    return HindiGlosser()


def gloss(text: str) -> str | None:
    """English gloss of mostly-Devanagari ``text`` (see :meth:`HindiGlosser.gloss`), else None."""
    return default_glosser().gloss(text)


def coverage(text: str) -> float:
    """Share of the Devanagari words of ``text`` the shipped glossary resolves."""
    return default_glosser().coverage(text)
